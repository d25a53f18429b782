/** Sequential byte input from a file or memory, transparently gunzipped (sync, no whole-file buffer). */
import { createHash } from "node:crypto";
import { NiftiError } from "../errors.ts";
import { checkedSize, describeNonRegular } from "./regular_file.ts";
import { GunzipReader, isGzip, memoryReader, type ReadFn } from "./gzip.ts";
import { borrowBytes, giveBackBytes } from "./scratch_bytes.ts";

/** A sequential reader of (decompressed) bytes. */
export interface ByteStream {
  readonly file: string;
  readonly gzip: boolean;
  /** Size on disk (compressed size for gzip). */
  readonly storedSize: number;
  /** The whole stored file, when it is gzip and in memory (for a whole-buffer inflater). */
  readonly whole?: Uint8Array;
  /** Fills `out` as far as the input goes; returns the count. */
  read(out: Uint8Array): number;
  /** Skips `n` bytes; returns how many were skipped. */
  skip(n: number): number;
  /** Reads to the end checking integrity (gzip CRC); returns warnings (trailing garbage). */
  finish(): string[];
  close(): void;
}

/** What a hashing stream saw of its file: every stored (raw, still compressed) byte. */
export interface FileDigest {
  path: string;
  /** Hex SHA-256 of the file's bytes as read (the same bytes that were decoded). */
  sha256: string;
  /** Bytes in the file. */
  size: number;
  /** Permission bits of the opened file (null where the platform has none). */
  mode: number | null;
}

/** A ByteStream that hashes the raw bytes passing through it. */
export interface HashingByteStream extends ByteStream {
  /** Reads the rest of the file (hashing it, not decoding it) and returns the digest. */
  digest(): FileDigest;
}

function describeOpenError(e: unknown): string {
  if (e instanceof Deno.errors.NotFound) return "no such file";
  if (e instanceof Deno.errors.PermissionDenied) return "permission denied";
  if (e instanceof Deno.errors.NotCapable) return "read permission not granted (--allow-read)";
  if (e instanceof Deno.errors.IsADirectory) return "is a directory";
  return e instanceof Error ? e.message.split("\n")[0] : String(e);
}

/** Bytes of the first read of a stream (it sniffs gzip and is replayed). */
const HEAD_BYTES = 1 << 16;

function makeStream(
  file: string,
  raw: ReadFn,
  size: number,
  close: () => void,
  whole?: Uint8Array,
): ByteStream {
  // The first read takes up to 64 KiB (all of a small file, a whole header): one read call
  // instead of a 2-byte probe and then the rest (issue 15.3c: syscalls dominate planning). A
  // full-size one is borrowed and given back at close (scratch_bytes.ts).
  const headSize = Math.max(2, Math.min(HEAD_BYTES, size));
  const borrowed = headSize === HEAD_BYTES;
  const head = borrowed ? borrowBytes(HEAD_BYTES) : new Uint8Array(headSize);
  let headLen = 0;
  while (headLen < 2) {
    const n = raw(head.subarray(headLen));
    if (n === 0) break;
    headLen += n;
  }
  let replay = headLen;
  const withHead: ReadFn = (buf) => {
    if (replay > 0 && buf.length > 0) {
      const n = Math.min(replay, buf.length);
      buf.set(head.subarray(headLen - replay, headLen - replay + n));
      replay -= n;
      return n;
    }
    return raw(buf);
  };
  const gzip = isGzip(head.subarray(0, headLen));
  const gz = gzip ? new GunzipReader(file, withHead) : null;
  const read: ReadFn = gz ? (buf) => gz.read(buf) : (buf) => {
    let filled = 0;
    while (filled < buf.length) {
      const n = withHead(buf.subarray(filled));
      if (n === 0) break;
      filled += n;
    }
    return filled;
  };
  let scratch: Uint8Array | null = null;
  let closed = false;
  return {
    file,
    gzip,
    storedSize: size,
    ...(gzip && whole ? { whole } : {}),
    read,
    skip(n) {
      scratch ??= new Uint8Array(1 << 16);
      let done = 0;
      while (done < n) {
        const got = read(scratch.subarray(0, Math.min(scratch.length, n - done)));
        if (got === 0) break;
        done += got;
      }
      return done;
    },
    finish() {
      if (!gz) return [];
      gz.drain();
      return gz.warnings;
    },
    close() {
      gz?.close(); // a header-only read leaves a member's native zlib state open (issue #10.6)
      if (borrowed && !closed) giveBackBytes(head);
      closed = true;
      close();
    },
  };
}

/** Wraps `raw` so every byte it returns is hashed once, in file order. */
function teeHash(raw: ReadFn) {
  const hash = createHash("sha256");
  let size = 0;
  const read: ReadFn = (buf) => {
    const n = raw(buf);
    if (n > 0) hash.update(buf.subarray(0, n));
    size += n;
    return n;
  };
  const rest = () => {
    const scratch = new Uint8Array(1 << 16);
    while (read(scratch) > 0) { /* hashed by read */ }
    return { sha256: hash.digest("hex"), size };
  };
  return { read, rest };
}

/**
 * Opens a file for sequential reading; the raw bytes are hashed as they are read, so the
 * digest describes exactly the bytes that were decoded (one read, no second pass).
 * @throws NiftiError when it is missing, a directory or unreadable
 */
export function openHashingByteStream(file: string): HashingByteStream {
  let mode: number | null = null;
  let tee: ReturnType<typeof teeHash> | undefined;
  const stream = openByteStream(file, (raw, f) => {
    mode = f.statSync().mode;
    tee = teeHash(raw);
    return tee.read;
  });
  return {
    ...stream,
    digest: () => ({ path: file, ...tee!.rest(), mode: mode === null ? null : mode & 0o7777 }),
  };
}

/**
 * Opens a file for sequential reading (`wrap` may interpose on the raw reads).
 * @throws NiftiError when it is missing, a directory or unreadable
 */
export function openByteStream(
  file: string,
  wrap?: (raw: ReadFn, f: Deno.FsFile) => ReadFn,
): ByteStream {
  const { f, size } = openRegularFile(file);
  const raw = rawReader(file, f);
  try {
    return makeStream(file, wrap ? wrap(raw, f) : raw, size, () => f.close());
  } catch (e) {
    f.close();
    throw e;
  }
}

/**
 * Opens an input file for reading after checking it is a regular file (a FIFO would block the
 * open forever), unless the planning just did; `size` is what that check saw.
 * @throws NiftiError when it is missing, not a regular file, a directory or unreadable
 */
function openRegularFile(file: string): { f: Deno.FsFile; size: number } {
  try {
    let size = checkedSize(file);
    if (size === undefined) {
      const st = Deno.statSync(file);
      const irregular = describeNonRegular(st);
      if (irregular) throw new NiftiError(file, irregular);
      size = st.size;
    }
    return { f: Deno.openSync(file, { read: true }), size };
  } catch (e) {
    if (e instanceof NiftiError) throw e;
    throw new NiftiError(file, describeOpenError(e));
  }
}

/** Sync reads of `f`, a failure named as the file's. */
function rawReader(file: string, f: Deno.FsFile): ReadFn {
  return (buf) => {
    try {
      return f.readSync(buf) ?? 0;
    } catch (e) {
      throw new NiftiError(file, `read failed: ${describeOpenError(e)}`);
    }
  };
}

/** A ByteStream over bytes already in memory (gzip detected by magic). */
export function memoryByteStream(file: string, bytes: Uint8Array): ByteStream {
  return makeStream(file, memoryReader(bytes), bytes.length, () => {}, bytes);
}

/** A gzip file read whole into memory, with the digest of exactly those bytes. */
export interface WholeFile {
  bytes: Uint8Array;
  digest: () => FileDigest;
  /** Frees the bytes now (not at some later garbage collection): they are not used again. */
  release: () => void;
}

/**
 * Reads a gzip file whole (for a whole-buffer inflater); null when it is not gzip, is larger
 * than `maxSize`, or changed size while read (the caller then streams it as usual, which
 * reports any problem). The buffer comes from `allocate` (a worker's pool, which reuses it for
 * the next subjects), else it is fresh and `release` frees it at once.
 * @throws NiftiError when it is missing, a directory or unreadable
 */
export function readWholeGzip(
  file: string,
  maxSize: number,
  allocate?: (bytes: number) => ArrayBuffer,
): WholeFile | null {
  const { f } = openRegularFile(file);
  try {
    const read = rawReader(file, f);
    const st = f.statSync();
    const size = st.size;
    if (size < 2 || size > maxSize) return null;
    const head = new Uint8Array(2);
    for (let got = 0, n = 1; got < 2 && n > 0; got += n) n = read(head.subarray(got));
    if (!isGzip(head)) return null;
    // One byte more than the size: a file that grew meanwhile is streamed instead.
    const buffer = allocate?.(size + 1) ?? new ArrayBuffer(size + 1);
    const bytes = new Uint8Array(buffer, 0, size + 1);
    bytes.set(head);
    let got = 2;
    for (let n = 1; n > 0 && got <= size; got += n) n = read(bytes.subarray(got));
    if (got !== size) return null;
    const stored = bytes.subarray(0, size);
    const mode = st.mode === null ? null : st.mode & 0o7777;
    return {
      bytes: stored,
      digest: () => ({
        path: file,
        sha256: createHash("sha256").update(stored).digest("hex"),
        size,
        mode,
      }),
      release: () => {
        if (!allocate) buffer.transfer(0);
      },
    };
  } finally {
    f.close();
  }
}
