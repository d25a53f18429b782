/// <reference lib="deno.worker" />
/**
 * The deflate helper's thread (deflate_helper.ts): waits on the control word, compresses the
 * chunk in `input` into `output` with the writer's own `deflateChunk`, and reports. It has no
 * permissions and touches only the three shared buffers.
 */
import { deflateChunk } from "./gzip_writer.ts";
import { HELPER, type HelperBuffers } from "./deflate_helper.ts";

self.onmessage = (event: MessageEvent<HelperBuffers>) => {
  const control = new Int32Array(event.data.control);
  const input = new Uint8Array(event.data.input);
  const output = new Uint8Array(event.data.output);
  Atomics.store(control, 0, HELPER.idle);
  for (;;) {
    // A bounded wait: between two, a terminate() from the parent (or its end) can take effect.
    Atomics.wait(control, 0, HELPER.idle, 100);
    const state = Atomics.load(control, 0);
    if (state === HELPER.stop || state === HELPER.failed) return;
    if (state !== HELPER.work) continue;
    try {
      const chunk = input.subarray(0, control[1]);
      control[4] = deflateChunk(chunk, control[2], control[3] === 1, output);
      Atomics.store(control, 0, HELPER.done);
    } catch {
      Atomics.store(control, 0, HELPER.failed);
    }
    Atomics.notify(control, 0);
  }
};
