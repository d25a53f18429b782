/**
 * Deterministic gzip (mtime 0, no name) on node:zlib's native handle, in fixed chunks that can
 * be compressed on two threads (issue 15.1).
 *
 * The stream is cut every `GZIP_CHUNK` uncompressed bytes from its start; each chunk is raw
 * deflate on its own, ending in a sync flush, the last one in the final block — one ordinary
 * gzip member that every gunzip reads (pigz's layout, without its dictionary priming: Deno's
 * node:zlib ignores a raw deflate `dictionary`). The bytes depend only on the input
 * and the level: not on how `write` is called, and not on whether a chunk was compressed here or
 * by the `DeflateHelper` (another thread), so output hashes are the same on every machine.
 * While the helper compresses one chunk this thread compresses the next: the runner's workers
 * get one served by the main thread when a core would otherwise be idle (runner/pool.ts), which
 * nearly halves the write of a large .nii.gz. The cost of the cuts: matches cannot reach back across them, ~0.2 % in size
 * on CT volumes.
 */
import zlib from "node:zlib";
import { crc32, openHandle } from "./gzip.ts";

/** Uncompressed bytes per chunk: fixed, since the output bytes depend on it. */
export const GZIP_CHUNK = 1 << 20;
/** Room for the deflate output of `n` input bytes whatever the data (zlib's bound is smaller). */
export function deflateRoom(n: number): number {
  return n + (n >> 8) + 1024;
}

/**
 * Raw deflate of `chunk` ending in a sync flush, or in the final block when `final`; written
 * into `out` (at least `deflateRoom(chunk.length)` bytes). Returns the number of bytes written.
 * @throws RangeError for a level outside -1..9
 */
export function deflateChunk(
  chunk: Uint8Array,
  level: number,
  final: boolean,
  out: Uint8Array,
): number {
  const z = openHandle(zlib.createDeflateRaw({ level }));
  try {
    const flush = final ? zlib.constants.Z_FINISH : zlib.constants.Z_SYNC_FLUSH;
    z.h.writeSync(flush, chunk, 0, chunk.length, out, 0, out.length);
    if (z.error()) throw new Error(`gzip failed: ${z.error()}`);
    if (z.state[1] !== 0 || z.state[0] === 0) throw new Error("gzip failed: output space");
    return out.length - z.state[0];
  } finally {
    z.h.close();
  }
}

/** Compresses chunks on another thread; see the module comment. */
export interface DeflateHelper {
  /** Starts `deflateChunk` of `chunk` there; false when it cannot now (then compress here). */
  start(chunk: Uint8Array, level: number, final: boolean): boolean;
  /**
   * The started chunk's bytes (valid until the next `start`), or null when the helper failed
   * (the caller compresses the chunk itself: the same bytes).
   */
  wait(): Uint8Array | null;
}

let helper: DeflateHelper | undefined;

/** Sets (or clears) the helper of this thread's gzip writers. */
export function setDeflateHelper(h: DeflateHelper | undefined): void {
  helper = h;
}

/** zlib's gzip header for `level`: XFL 2 at level 9, 4 at the fastest levels, OS 3 (Unix). */
function gzipHeader(level: number): Uint8Array {
  const xfl = level === 9 ? 2 : level >= 0 && level < 2 ? 4 : 0;
  return new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, xfl, 3]);
}

/** Buffers a finished writer leaves for the next one of this thread (fresh memory is slow). */
let spare: { pending: Uint8Array; outs: [Uint8Array, Uint8Array] } | null = null;

/** Sync streaming gzip writer (deterministic; see the module comment). */
export class GzipWriter {
  #sink: (bytes: Uint8Array) => void;
  #level: number;
  /** Input not yet compressed: up to two chunks. */
  #pending: Uint8Array;
  #length = 0;
  #outs: [Uint8Array, Uint8Array];
  #crc = 0;
  #size = 0;
  #done = false;

  constructor(sink: (bytes: Uint8Array) => void, level = 6) {
    // Checks the level as zlib does (RangeError) before anything is written.
    zlib.createDeflateRaw({ level }).close();
    this.#sink = sink;
    this.#level = level;
    const buffers = spare ??
      { pending: new Uint8Array(0), outs: [new Uint8Array(0), new Uint8Array(0)] };
    spare = null;
    this.#pending = buffers.pending;
    this.#outs = buffers.outs;
    sink(gzipHeader(level));
  }

  /** Compresses `bytes` (may be called many times). */
  write(bytes: Uint8Array): void {
    this.#crc = crc32(bytes, this.#crc);
    this.#size += bytes.length;
    for (let off = 0; off < bytes.length;) {
      if (this.#length === 2 * GZIP_CHUNK) this.#compress(false);
      const room = 2 * GZIP_CHUNK - this.#length;
      const n = Math.min(room, bytes.length - off);
      this.#reserve(this.#length + n);
      this.#pending.set(bytes.subarray(off, off + n), this.#length);
      this.#length += n;
      off += n;
    }
  }

  /** Compresses the rest, writes the trailer and leaves the buffers to the next writer. */
  finish(): void {
    if (this.#done) return;
    this.#done = true;
    this.#compress(true);
    const trailer = new Uint8Array(8);
    const view = new DataView(trailer.buffer);
    view.setUint32(0, this.#crc >>> 0, true);
    view.setUint32(4, this.#size % 4294967296, true);
    this.#sink(trailer);
    spare = { pending: this.#pending, outs: this.#outs };
  }

  /** Grows the pending buffer to hold `n` bytes (doubling, at most two chunks). */
  #reserve(n: number): void {
    if (n <= this.#pending.length) return;
    const grown = new Uint8Array(Math.min(2 * GZIP_CHUNK, Math.max(n, 2 * this.#pending.length)));
    grown.set(this.#pending.subarray(0, this.#length));
    this.#pending = grown;
  }

  #out(i: 0 | 1, n: number): Uint8Array {
    if (this.#outs[i].length < deflateRoom(n)) this.#outs[i] = new Uint8Array(deflateRoom(n));
    return this.#outs[i];
  }

  /**
   * Compresses the pending input as one or two chunks (cut at `GZIP_CHUNK`), the last one final
   * when `final`: the first on the helper while this thread does the second.
   */
  #compress(final: boolean): void {
    const all = this.#pending.subarray(0, this.#length);
    const first = all.subarray(0, Math.min(GZIP_CHUNK, all.length));
    const second = all.subarray(first.length);
    const level = this.#level;
    if (second.length === 0) {
      this.#sinkChunk(first, final);
    } else if (helper?.start(first, level, false)) {
      const outB = this.#out(1, second.length);
      const nB = deflateChunk(second, level, final, outB);
      const a = helper.wait();
      if (a) this.#sink(a);
      else this.#sinkChunk(first, false);
      this.#sink(outB.subarray(0, nB));
    } else {
      this.#sinkChunk(first, false);
      this.#sinkChunk(second, final);
    }
    this.#length = 0;
  }

  #sinkChunk(chunk: Uint8Array, final: boolean): void {
    const out = this.#out(0, chunk.length);
    this.#sink(out.subarray(0, deflateChunk(chunk, this.#level, final, out)));
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
