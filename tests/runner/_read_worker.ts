/// <reference lib="deno.worker" />
/**
 * Test worker: for each job, tries to read every file listed in `job.metadata.probe`
 * ("|"-separated) and reports the ones it could read as the record's warnings, followed by
 * `buffer <bytes>` for each buffer the job message carried (first_buffers.ts), `read <path>
 * <bytes>` for each read it carried, and
 * `deflate helper` when its init shared a deflate helper's memory.
 */
import type { FromWorker, ToWorker } from "../../src/runner/messages.ts";

let helper = false;

self.onmessage = (event: MessageEvent<ToWorker>) => {
  const m = event.data;
  if (m.type === "init") {
    helper = m.init.deflateHelper !== undefined;
    return self.postMessage({ type: "ready" } satisfies FromWorker);
  }
  const readable = String(m.job.metadata?.probe ?? "").split("|").filter((path) => {
    try {
      Deno.readTextFileSync(path);
      return true;
    } catch {
      return false;
    }
  });
  self.postMessage(
    {
      type: "done",
      record: {
        id: m.job.id,
        row: m.job.row,
        status: "done",
        inputs: [],
        steps: [],
        outputs: [],
        warnings: [
          ...readable,
          ...(m.buffers ?? []).map((b) => `buffer ${b.byteLength}`),
          ...(m.reads ?? []).map((r) => `read ${r.path} ${r.buffer.byteLength}`),
          ...(helper ? ["deflate helper"] : []),
        ],
      },
    } satisfies FromWorker,
  );
};
