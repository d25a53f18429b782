/// <reference lib="deno.worker" />
/** Test worker: finishes every job except subject "boom" (uncaught error) and "hang" (never answers). */
import type { FromWorker, ToWorker } from "../../src/runner/messages.ts";

self.onmessage = (event: MessageEvent<ToWorker>) => {
  const m = event.data;
  if (m.type === "init") return self.postMessage({ type: "ready" } satisfies FromWorker);
  if (m.job.id === "boom") throw new Error("simulated crash");
  if (m.job.id === "hang") return;
  let canWrite = true;
  try {
    Deno.writeTextFileSync("/tmp/medprep-pool-test-forbidden.txt", "x");
  } catch {
    canWrite = false;
  }
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
        warnings: canWrite ? ["could write outside the output directory"] : [],
      },
    } satisfies FromWorker,
  );
};
