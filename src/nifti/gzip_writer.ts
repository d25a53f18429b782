/** Deterministic streaming gzip (mtime 0, no name) on node:zlib's native handle. */
import zlib from "node:zlib";
import { openHandle } from "./gzip.ts";

/** Sync streaming gzip writer (deterministic: mtime 0, no name). */
export class GzipWriter {
  #sink: (bytes: Uint8Array) => void;
  #out = new Uint8Array(1 << 20);
  #z: ReturnType<typeof openHandle>;

  constructor(sink: (bytes: Uint8Array) => void, level = 6) {
    this.#sink = sink;
    this.#z = openHandle(zlib.createGzip({ level }));
  }

  #run(flush: number, input: Uint8Array): void {
    let off = 0;
    for (;;) {
      const inLen = input.length - off;
      this.#z.h.writeSync(flush, input, off, inLen, this.#out, 0, this.#out.length);
      if (this.#z.error()) throw new Error(`gzip failed: ${this.#z.error()}`);
      const made = this.#out.length - this.#z.state[0];
      off += inLen - this.#z.state[1];
      if (made > 0) this.#sink(this.#out.subarray(0, made));
      if (this.#z.state[0] > 0 && off === input.length) return;
    }
  }

  /** Compresses `bytes` (may be called many times). */
  write(bytes: Uint8Array): void {
    if (bytes.length > 0) this.#run(zlib.constants.Z_NO_FLUSH, bytes);
  }

  /** Flushes the end of the stream and releases the handle. */
  finish(): void {
    this.#run(zlib.constants.Z_FINISH, new Uint8Array(0));
    this.#z.h.close();
  }
}

/** Gzips `bytes` in memory (deterministic). */
export function gzipBytes(bytes: Uint8Array, level = 6): Uint8Array {
  const parts: Uint8Array[] = [];
  const w = new GzipWriter((b) => parts.push(b.slice()), level);
  w.write(bytes);
  w.finish();
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) out.set(p, (o += p.length) - p.length);
  return out;
}
