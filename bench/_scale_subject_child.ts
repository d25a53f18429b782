/**
 * Child of `bench scale --part a`: runs one subject through a recipe the way a runner worker
 * does (worker.ts: the recipe bound once, the worker's buffer pool as voxel allocator, the
 * worker's file I/O, pool released and scratch trimmed after each subject), in this process,
 * writing into a temporary folder: warm-up runs (up to 20, or 1 s) so the JIT has compiled the
 * hot loops, then timed runs (at least 3, until 2 s or 50). Prints one JSON line: the best and
 * median milliseconds per subject and the number of timed runs — the steady per-subject work,
 * without the process's start-up and compile costs.
 * Usage: deno run -A bench/_scale_subject_child.ts RECIPE INPUT
 */
import { bindRecipe } from "../src/recipe/plan.ts";
import { readRecipe } from "../src/recipe/validate.ts";
import { resolveRecipe } from "../src/provenance/header.ts";
import { runSubject } from "../src/runner/run_subject.ts";
import { createWorkerIo } from "../src/runner/worker_io.ts";
import { createBufferPool } from "../src/runner/buffer_pool.ts";
import { trimScratchPool } from "../src/volume/scratch.ts";
import { setVoxelAllocator } from "../src/volume/dtype.ts";
import type { WorkerInit } from "../src/runner/messages.ts";

const [recipePath, input] = Deno.args;
const { recipe } = await readRecipe(recipePath);
const resolved = resolveRecipe(recipe);
const plan = bindRecipe(resolved);
const pool = createBufferPool(1024 ** 3);
const io = createWorkerIo(pool);
setVoxelAllocator((bytes) => pool.acquire(bytes));
const outDir = Deno.makeTempDirSync({ prefix: "medprep-bench-scale-" });
const init: WorkerInit = { recipe: resolved, outDir, maxInputBytes: 8 * 1024 ** 3 };
const job = { id: "cube", row: 2, paths: { image: input } };
const times: number[] = [];
const once = (): number => {
  const t0 = performance.now();
  try {
    const record = runSubject(job, init, { io, plan });
    if (record.status !== "done") throw new Error(record.error?.message ?? record.status);
  } finally {
    pool.releaseAll();
    trimScratchPool();
  }
  return performance.now() - t0;
};
try {
  for (let r = 0, spent = 0; r < 20 && spent < 1000; r++) spent += once();
  for (let spent = 0; times.length < 3 || (spent < 2000 && times.length < 50);) {
    times.push(once());
    spent += times.at(-1)!;
  }
} finally {
  Deno.removeSync(outDir, { recursive: true });
}
times.sort((a, b) => a - b);
console.log(JSON.stringify({
  best: times[0],
  median: times[Math.floor(times.length / 2)],
  runs: times.length,
}));
