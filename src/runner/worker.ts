/**
 * Runner worker (a module Deno worker): receives the recipe once (`init`) and binds it to the
 * step registry, then one subject
 * per `job` message; reads, runs the steps, encodes and writes inside this thread and posts
 * back the subject's provenance record (plain data, never volumes). Permissions are given by
 * the pool: read the inputs and the output directory, write only the output directory.
 */
/// <reference lib="deno.worker" />
import { bindRecipe, type Plan } from "../recipe/plan.ts";
import type { FromWorker, ToWorker, WorkerInit } from "./messages.ts";
import { runSubject } from "./run_subject.ts";
import { createWorkerIo } from "./worker_io.ts";
import { createBufferPool } from "./buffer_pool.ts";
import { checkJobBudget } from "./budget_check.ts";
import { trimScratchPool } from "../volume/scratch.ts";
import { setVoxelAllocator } from "../volume/dtype.ts";
import { useLibdeflate } from "../nifti/libdeflate.ts";
import { setDeflateHelper } from "../nifti/gzip_writer.ts";
import { connectDeflateHelper } from "../nifti/deflate_helper.ts";

let init: WorkerInit | undefined;
/** The recipe bound to the registry once, with the same function as the main thread. */
let plan: Plan | undefined;
/** Input buffers reused from one subject to the next (at most 1 GiB kept). */
const pool = createBufferPool(1024 ** 3);
const io = createWorkerIo(pool);
// Large step outputs come from the same pool (volume/dtype.ts): buffers no volume of the subject
// uses any more are reused by the next step or subject instead of faulting in fresh memory.
setVoxelAllocator((bytes) => pool.acquire(bytes));

function post(message: FromWorker): void {
  self.postMessage(message);
}

self.onmessage = (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  if (message.type === "init") {
    try {
      plan = bindRecipe(message.init.recipe);
    } catch (e) {
      post({ type: "fatal", message: e instanceof Error ? e.message : String(e) });
      return;
    }
    init = message.init;
    if (init.deflateHelper) setDeflateHelper(connectDeflateHelper(init.deflateHelper));
    if (!useLibdeflate(init.libdeflate ?? null) && init.libdeflate) {
      post({
        type: "fatal",
        message: `MEDPREP_INFLATE=libdeflate: cannot load ${init.libdeflate}`,
      });
      return;
    }
    post({ type: "ready" });
    return;
  }
  if (!init || !plan) {
    post({ type: "fatal", message: "Cannot run a job: the worker got no init message" });
    return;
  }
  if (message.buffers) pool.adopt(message.buffers);
  if (message.reads) io.preload(message.reads);
  try {
    const refused = checkJobBudget(message.job, init, plan);
    post({ type: "done", record: refused ?? runSubject(message.job, init, { io, plan }) });
  } finally {
    io.clearPreloaded();
    pool.releaseAll();
    trimScratchPool(); // float scratch of sizes this subject did not use (issue #10.6)
  }
};
