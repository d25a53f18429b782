/**
 * A `DeflateHelper` served by another thread — the runner's main thread, which mostly waits
 * while a worker computes — through shared memory, so the writer can wait for it synchronously
 * (Atomics.wait) in the middle of a sync write, while the serving thread only reacts to
 * Atomics.waitAsync between its other tasks (no thread or isolate of its own: no memory).
 *
 * Nothing of it can change the output, nor make a write slower than alone: a chunk the helper
 * has not started when the writer is done with its own is taken back and compressed by the
 * writer (the same `deflateChunk`); one that fails, or does not come back in time, too.
 */
import { deflateChunk, type DeflateHelper, deflateRoom, GZIP_CHUNK } from "./gzip_writer.ts";

/** Control word states (Int32 0). */
const IDLE = 0, WORK = 1, BUSY = 2, DONE = 3, FAILED = 4, STOP = 5;
/** Control words: state, chunk length, level, final (0/1), output length. */
const CONTROL_WORDS = 5;

/** How long a writer waits for a chunk the helper is compressing before it gives up on it. */
const PATIENCE_MS = 30_000;

/** The memory a helper and its writer share (plain data: posted to the writer's thread). */
export interface HelperBuffers {
  control: SharedArrayBuffer;
  input: SharedArrayBuffer;
  output: SharedArrayBuffer;
}

/**
 * Serves a helper on this thread, between its other tasks, until `stop()`; the writer's thread
 * gets `buffers` (connectDeflateHelper).
 */
export function serveDeflateHelper(): { buffers: HelperBuffers; stop(): void } {
  const buffers: HelperBuffers = {
    control: new SharedArrayBuffer(4 * CONTROL_WORDS),
    input: new SharedArrayBuffer(GZIP_CHUNK),
    output: new SharedArrayBuffer(deflateRoom(GZIP_CHUNK)),
  };
  const control = new Int32Array(buffers.control);
  const input = new Uint8Array(buffers.input);
  const output = new Uint8Array(buffers.output);
  const serve = async () => {
    for (;;) {
      const state = Atomics.load(control, 0);
      if (state === STOP) return;
      if (state !== WORK) {
        const waited = Atomics.waitAsync(control, 0, state);
        if (waited.async) await waited.value;
        continue;
      }
      if (Atomics.compareExchange(control, 0, WORK, BUSY) !== WORK) continue; // taken back
      try {
        const chunk = input.subarray(0, control[1]);
        control[4] = deflateChunk(chunk, control[2], control[3] === 1, output);
        Atomics.compareExchange(control, 0, BUSY, DONE);
      } catch {
        Atomics.compareExchange(control, 0, BUSY, FAILED);
      }
      Atomics.notify(control, 0);
    }
  };
  serve();
  return {
    buffers,
    stop() {
      Atomics.store(control, 0, STOP);
      Atomics.notify(control, 0);
    },
  };
}

/** The writer side of a helper served elsewhere (`serveDeflateHelper`). */
export function connectDeflateHelper(buffers: HelperBuffers): DeflateHelper {
  const control = new Int32Array(buffers.control);
  const input = new Uint8Array(buffers.input);
  const output = new Uint8Array(buffers.output);
  let broken = false;
  return {
    start(chunk, level, final) {
      if (broken || chunk.length > GZIP_CHUNK) return false;
      if (Atomics.load(control, 0) !== IDLE) return false; // failed or stopped
      input.set(chunk);
      control[1] = chunk.length;
      control[2] = level;
      control[3] = final ? 1 : 0;
      Atomics.store(control, 0, WORK);
      Atomics.notify(control, 0);
      return true;
    },
    wait() {
      // Not started yet: take it back (compressing it here is as fast as waiting for it).
      if (Atomics.compareExchange(control, 0, WORK, IDLE) === WORK) return null;
      const deadline = performance.now() + PATIENCE_MS;
      while (Atomics.load(control, 0) === BUSY) {
        if (performance.now() > deadline) {
          broken = true; // it may still write into `output` later: never used again
          return null;
        }
        Atomics.wait(control, 0, BUSY, 1000);
      }
      if (Atomics.load(control, 0) !== DONE) {
        broken = true;
        return null;
      }
      const result = output.subarray(0, control[4]);
      Atomics.store(control, 0, IDLE);
      return result;
    },
  };
}
