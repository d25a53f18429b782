/**
 * A `DeflateHelper` on its own thread (a module worker with no permissions, started by the main
 * thread for each runner worker): it compresses one chunk at a time for its writer through
 * shared memory, so the writer can wait for it synchronously (Atomics.wait) in the middle of a
 * sync write. Nothing of its work can change the output: a chunk it does not deliver (it is
 * still starting, it failed or is stuck) is compressed by the writer itself with the same
 * function (gzip_writer.ts).
 */
import { type DeflateHelper, deflateRoom, GZIP_CHUNK } from "./gzip_writer.ts";

/** Control word states (Int32 0). */
export const HELPER = { starting: 0, idle: 1, work: 2, done: 3, failed: 4, stop: 5 } as const;
/** Control words: state, chunk length, level, final (0/1), output length. */
const CONTROL_WORDS = 5;

/** How long a writer waits for a started chunk before it compresses it itself. */
const PATIENCE_MS = 30_000;

/** The memory a helper and its writer share (posted to both; plain data). */
export interface HelperBuffers {
  control: SharedArrayBuffer;
  input: SharedArrayBuffer;
  output: SharedArrayBuffer;
}

/** Starts a helper thread (main thread side); undefined when workers cannot be started. */
export function spawnDeflateHelper(): { buffers: HelperBuffers; stop(): void } | undefined {
  const buffers: HelperBuffers = {
    control: new SharedArrayBuffer(4 * CONTROL_WORDS),
    input: new SharedArrayBuffer(GZIP_CHUNK),
    output: new SharedArrayBuffer(deflateRoom(GZIP_CHUNK)),
  };
  let worker: Worker;
  try {
    worker = new Worker(new URL("./deflate_helper_worker.ts", import.meta.url), {
      type: "module",
      name: "medprep-gzip",
      deno: { permissions: "none" },
    });
  } catch {
    return undefined;
  }
  const control = new Int32Array(buffers.control);
  worker.onerror = (event) => {
    event.preventDefault();
    Atomics.store(control, 0, HELPER.failed); // its writer compresses everything itself
    Atomics.notify(control, 0);
  };
  worker.postMessage(buffers);
  return {
    buffers,
    stop() {
      Atomics.store(control, 0, HELPER.stop);
      Atomics.notify(control, 0);
      worker.terminate();
    },
  };
}

/** The writer side of a helper started with `spawnDeflateHelper`. */
export function connectDeflateHelper(buffers: HelperBuffers): DeflateHelper {
  const control = new Int32Array(buffers.control);
  const input = new Uint8Array(buffers.input);
  const output = new Uint8Array(buffers.output);
  let broken = false;
  return {
    start(chunk, level, final) {
      if (broken || chunk.length > GZIP_CHUNK) return false;
      if (Atomics.load(control, 0) !== HELPER.idle) return false; // starting, failed or stopped
      input.set(chunk);
      control[1] = chunk.length;
      control[2] = level;
      control[3] = final ? 1 : 0;
      Atomics.store(control, 0, HELPER.work);
      Atomics.notify(control, 0);
      return true;
    },
    wait() {
      const deadline = performance.now() + PATIENCE_MS;
      while (Atomics.load(control, 0) === HELPER.work) {
        if (performance.now() > deadline) {
          broken = true; // it may still write into `output` later: never used again
          return null;
        }
        Atomics.wait(control, 0, HELPER.work, 1000);
      }
      if (Atomics.load(control, 0) !== HELPER.done) {
        broken = true;
        return null;
      }
      const result = output.subarray(0, control[4]);
      Atomics.store(control, 0, HELPER.idle);
      return result;
    },
  };
}
