/**
 * Streaming gzip on node:zlib's native handles, writing straight into caller buffers
 * (no intermediate chunks): multi-member streams are read whole, every member's CRC-32
 * and length are checked, and bytes after the last member are ignored with a warning,
 * as gzip(1) does ("decompression OK, trailing garbage ignored").
 */
import zlib from "node:zlib";
import { NiftiError } from "../errors.ts";
import { borrowBytes, giveBackBytes } from "./scratch_bytes.ts";

/** Whether `bytes` start with the gzip magic 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Reads up to `buf.length` bytes into `buf`, returning the count (0 at end of input). */
export type ReadFn = (buf: Uint8Array) => number;

interface NativeHandle {
  writeSync(
    flush: number,
    input: Uint8Array,
    inOff: number,
    inLen: number,
    out: Uint8Array,
    outOff: number,
    outLen: number,
  ): void;
  onerror: (message: string, errno: number) => void;
  /** Back to the state of a new stream (zlib's inflateReset / deflateReset). */
  reset(): void;
  close(): void;
}

interface HandleOwner {
  _handle?: NativeHandle;
  _writeState?: Uint32Array;
}

/**
 * The native zlib handle of a node:zlib stream and its [availOutAfter, availInAfter] state,
 * with errors captured (a Deno/Node internal, feature-checked here).
 */
export function openHandle(
  stream: unknown,
): { h: NativeHandle; state: Uint32Array; error: () => string; clearError: () => void } {
  const owner = stream as HandleOwner;
  if (!owner._handle || typeof owner._handle.writeSync !== "function" || !owner._writeState) {
    throw new Error("node:zlib in this Deno lacks the native handle medprep's gzip relies on");
  }
  let message = "";
  owner._handle.onerror = (m: string) => {
    message = m || "zlib error";
  };
  return {
    h: owner._handle,
    state: owner._writeState,
    error: () => message,
    clearError: () => {
      message = "";
    },
  };
}

/** An inflate handle with its state and error, as `openHandle` returns it. */
type Inflater = ReturnType<typeof openHandle>;

/**
 * One idle raw-inflate handle of this thread, kept for the next gzip member: creating a node:zlib
 * stream costs 13–29 µs, as much as the rest of a header-only read of a .nii.gz (issue 15.3c:
 * planning reads every input's header). Reset (zlib's inflateReset), it decodes exactly as a new
 * one; a handle that reported an error is closed, never kept.
 */
let idleInflater: Inflater | null = null;

function takeInflater(): Inflater {
  const idle = idleInflater;
  idleInflater = null;
  if (!idle) return openHandle(zlib.createInflateRaw());
  idle.h.reset();
  idle.clearError();
  return idle;
}

function leaveInflater(inflater: Inflater): void {
  if (idleInflater === null && inflater.error() === "") idleInflater = inflater;
  else inflater.h.close();
}

/** zlib's CRC-32 (node:zlib's `crc32`, missing from its typings), continued from `value`. */
export const crc32 = (zlib as unknown as { crc32(d: Uint8Array, value?: number): number }).crc32;

/** Sync streaming gunzip: `read(out)` fills `out` from the decompressed stream. */
export class GunzipReader {
  readonly warnings: string[] = [];
  #file: string;
  #source: ReadFn;
  /** Compressed input, borrowed (scratch_bytes.ts) and given back by `close`. */
  #in = borrowBytes(1 << 18);
  #start = 0;
  #end = 0;
  #eof = false;
  #member: Inflater | null = null;
  #crc = 0;
  #size = 0;
  #done = false;
  /** Compressed bytes consumed so far. */
  #consumed = 0;

  constructor(file: string, source: ReadFn) {
    this.#file = file;
    this.#source = source;
  }

  #fail(reason: string): never {
    this.#close();
    throw new NiftiError(this.#file, reason);
  }

  /** Makes at least `n` input bytes available if the input has them; returns the count available. */
  #ensure(n: number): number {
    if (this.#end - this.#start >= n || this.#eof) return this.#end - this.#start;
    this.#in.copyWithin(0, this.#start, this.#end);
    this.#end -= this.#start;
    this.#start = 0;
    while (this.#end < n && !this.#eof) {
      const got = this.#source(this.#in.subarray(this.#end));
      if (got === 0) this.#eof = true;
      this.#end += got;
    }
    return this.#end - this.#start;
  }

  #take(n: number): Uint8Array {
    if (this.#ensure(n) < n) this.#fail("truncated gzip stream (unexpected end of file)");
    const out = this.#in.subarray(this.#start, this.#start + n);
    this.#start += n;
    this.#consumed += n;
    return out;
  }

  #skipString(): void {
    while (this.#take(1)[0] !== 0) { /* zero-terminated */ }
  }

  /** Parses a member header; returns false (with a warning) on trailing garbage. */
  #beginMember(first: boolean): boolean {
    const avail = this.#ensure(10);
    if (!first && avail === 0) return false;
    if (
      !first &&
      !(avail >= 2 && this.#in[this.#start] === 0x1f && this.#in[this.#start + 1] === 0x8b)
    ) {
      this.warnings.push(
        `trailing garbage after gzip data ignored (at compressed byte ${this.#consumed})`,
      );
      return false;
    }
    const hdr = this.#take(10);
    if (hdr[0] !== 0x1f || hdr[1] !== 0x8b) this.#fail("not a gzip stream (bad magic)");
    if (hdr[2] !== 8) this.#fail(`unsupported gzip compression method ${hdr[2]}`);
    const flags = hdr[3];
    if (flags & 0xe0) this.#fail("corrupt gzip header (reserved flags set)");
    if (flags & 4) {
      const x = this.#take(2);
      const len = x[0] | (x[1] << 8);
      for (let left = len; left > 0;) left -= this.#take(Math.min(left, 65536)).length;
    }
    if (flags & 8) this.#skipString();
    if (flags & 16) this.#skipString();
    if (flags & 2) this.#take(2);
    this.#member = takeInflater();
    this.#crc = 0;
    this.#size = 0;
    return true;
  }

  #endMember(): void {
    if (this.#member) leaveInflater(this.#member);
    this.#member = null;
    const t = this.#take(8);
    const v = new DataView(t.buffer, t.byteOffset, 8);
    if (v.getUint32(0, true) !== this.#crc >>> 0) {
      this.#fail("corrupt gzip data (CRC-32 mismatch)");
    }
    if (v.getUint32(4, true) !== this.#size % 4294967296) {
      this.#fail("corrupt gzip data (length mismatch)");
    }
  }

  /** Fills `out` as far as the stream goes; returns the number of bytes written. */
  read(out: Uint8Array): number {
    let filled = 0;
    while (filled < out.length && !this.#done) {
      if (!this.#member && !this.#beginMember(this.#size === 0 && this.#consumed === 0)) {
        this.#done = true;
        break;
      }
      const m = this.#member!;
      if (this.#ensure(1) === 0) this.#fail("truncated gzip stream (unexpected end of file)");
      const inLen = this.#end - this.#start, outLen = out.length - filled;
      m.h.writeSync(0, this.#in, this.#start, inLen, out, filled, outLen);
      if (m.error()) this.#fail(`corrupt gzip data (${m.error()})`);
      const used = inLen - m.state[1], made = outLen - m.state[0];
      if (made > 0) this.#crc = crc32(out.subarray(filled, filled + made), this.#crc);
      this.#start += used;
      this.#consumed += used;
      this.#size += made;
      filled += made;
      const ended = m.state[0] > 0 && m.state[1] > 0;
      if (ended || (used === 0 && made === 0 && this.#eof)) {
        if (!ended) this.#fail("truncated gzip stream (unexpected end of file)");
        this.#endMember();
      } else if (m.state[1] === 0) {
        this.#start = this.#end = 0;
        this.#ensure(1);
      }
    }
    return filled;
  }

  /** Decompresses and discards the rest, checking every remaining CRC. */
  drain(): void {
    const scratch = new Uint8Array(1 << 16);
    while (this.read(scratch) > 0) { /* discard */ }
  }

  /**
   * Releases the native inflate state (a reader stopped early, e.g. after a header, holds one)
   * and gives its input buffer back; nothing can be read afterwards.
   */
  close(): void {
    this.#close();
    if (this.#in.length > 0) giveBackBytes(this.#in);
    this.#in = new Uint8Array(0);
    this.#start = this.#end = 0;
    this.#eof = true;
  }

  #close(): void {
    // A member stopped early (a header-only read) is reset before its next use.
    if (this.#member) leaveInflater(this.#member);
    this.#member = null;
    this.#done = true;
  }
}

/** A ReadFn over an in-memory buffer. */
export function memoryReader(bytes: Uint8Array): ReadFn {
  let pos = 0;
  return (buf) => {
    const n = Math.min(buf.length, bytes.length - pos);
    buf.set(bytes.subarray(pos, pos + n));
    pos += n;
    return n;
  };
}
