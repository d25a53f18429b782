/**
 * Whole-buffer gzip inflate with the system's libdeflate (Debian `libdeflate0`) through Deno's
 * FFI, opt-in with MEDPREP_INFLATE=libdeflate (issue 15.1): it inflates about 2× faster than
 * node:zlib (0.17 s against 0.32–0.38 s for a 157 MB CT, buffers already in memory), but needs
 * the whole compressed file in memory beside the voxels, which raises the peak RSS of a large
 * volume by its compressed size (2.04× the raw size instead of 1.82–1.86× in `bench resample`);
 * and for one subject the first touch of that buffer costs most of the gain (on the measured VM
 * a fresh 4 KiB page costs ~13 µs). So node:zlib streaming stays the default; with libdeflate
 * the compressed buffer comes from the worker's pool and is reused by the next subjects.
 * Decompression only — every write keeps node:zlib, so output bytes and hashes never depend on
 * which library ran.
 *
 * It is used only where it was turned on (`useLibdeflate`, by the runner's workers) and only
 * for a success: any other outcome (corrupt or truncated data, a member longer than the space
 * the header announces, bytes after the voxels) returns null, and the caller decodes the same
 * bytes again with node:zlib, so errors and warnings are word for word those of the zlib path.
 *
 * Permissions: `--allow-ffi=<the library's path>` (only that file). FFI code runs outside
 * Deno's sandbox; libdeflate does no I/O (it only reads and writes the two buffers given), is
 * loaded by absolute path from the system library folder, and is fuzzed continuously
 * (OSS-Fuzz). Without MEDPREP_INFLATE=libdeflate it is never loaded; with it, its absence (or
 * a missing grant) is an error, not a silent fallback.
 */
import { UsageError } from "../errors.ts";
import { locateGrantedLibrary } from "./ffi_library.ts";

/** Where Debian and other distributions put the library (first one present is used). */
export const LIBDEFLATE_CANDIDATES: readonly string[] = [
  "/usr/lib/x86_64-linux-gnu/libdeflate.so.0",
  "/usr/lib/aarch64-linux-gnu/libdeflate.so.0",
  "/usr/lib64/libdeflate.so.0",
  "/usr/lib/libdeflate.so.0",
  "/usr/local/lib/libdeflate.so.0",
];

const SYMBOLS = {
  libdeflate_alloc_decompressor: { parameters: [], result: "pointer" },
  libdeflate_gzip_decompress_ex: {
    parameters: ["pointer", "buffer", "usize", "buffer", "usize", "buffer", "buffer"],
    result: "i32",
  },
} as const;

interface Loaded {
  decompressor: Deno.PointerValue;
  gunzip: (
    d: Deno.PointerValue,
    input: Uint8Array,
    inLen: number,
    out: Uint8Array,
    outLen: number,
    inUsed: BigUint64Array,
    outUsed: BigUint64Array,
  ) => number;
}

let loaded: Loaded | null = null;
/** Libraries opened on this thread, by path: turning libdeflate off and on again reuses them. */
const opened = new Map<string, Loaded>();
const inUsed = new BigUint64Array(1);
const outUsed = new BigUint64Array(1);

/** What MEDPREP_INFLATE asks for: node:zlib streaming (unset, the default) or libdeflate. */
export function inflateChoice(): "zlib" | "libdeflate" {
  let choice: string | undefined;
  try {
    choice = Deno.env.get("MEDPREP_INFLATE");
  } catch { /* no --allow-env: the default */ }
  if (choice === undefined || choice === "" || choice === "zlib") return "zlib";
  if (choice === "libdeflate") return choice;
  throw new Error(`MEDPREP_INFLATE must be zlib or libdeflate, not "${choice}"`);
}

/** The first libdeflate candidate present whose FFI grant this process has, or null. */
export function locateLibdeflate(
  candidates: readonly string[] = LIBDEFLATE_CANDIDATES,
): string | null {
  return locateGrantedLibrary(candidates);
}

/**
 * The libdeflate the workers should use: null unless MEDPREP_INFLATE=libdeflate asks for it.
 * Needs --allow-env for MEDPREP_INFLATE.
 * @throws UsageError (exit 2, at MEDPREP_INFLATE) when MEDPREP_INFLATE is invalid, or is
 * `libdeflate` and none can be loaded
 */
export function findLibdeflate(
  candidates: readonly string[] = LIBDEFLATE_CANDIDATES,
): string | null {
  let choice;
  try {
    choice = inflateChoice();
  } catch (e) {
    throw new UsageError([{ path: "MEDPREP_INFLATE", message: (e as Error).message }]);
  }
  if (choice === "zlib") return null;
  const path = locateLibdeflate(candidates);
  if (path) return path;
  throw new UsageError([{
    path: "MEDPREP_INFLATE",
    message: `MEDPREP_INFLATE=libdeflate, but no libdeflate is present with an FFI grant ` +
      `(looked for ${candidates.join(", ")}; Debian: apt-get install libdeflate0; run with ` +
      `--allow-ffi=<its path>)`,
  }]);
}

/**
 * Loads libdeflate from `path` for this thread (null: back to node:zlib only). Returns whether
 * it is in use; a library that cannot be loaded leaves node:zlib in use.
 */
export function useLibdeflate(path: string | null): boolean {
  loaded = path === null ? null : opened.get(path) ?? null;
  if (loaded || path === null) return loaded !== null;
  try {
    const lib = Deno.dlopen(path, SYMBOLS);
    const decompressor = lib.symbols.libdeflate_alloc_decompressor();
    if (decompressor === null) return false;
    loaded = {
      decompressor,
      gunzip: (d, input, inLen, out, outLen, inRet, outRet) =>
        lib.symbols.libdeflate_gzip_decompress_ex(
          d,
          input,
          BigInt(inLen),
          out,
          BigInt(outLen),
          inRet,
          outRet,
        ),
    };
    opened.set(path, loaded);
    return true;
  } catch {
    return false;
  }
}

const counts = { inflated: 0, declined: 0 };

/** Whole-buffer inflates on this thread so far: done, and left to node:zlib (for tests). */
export function libdeflateCounts(): { inflated: number; declined: number } {
  return { ...counts };
}

/** Whether libdeflate is in use on this thread. */
export function libdeflateActive(): boolean {
  return loaded !== null;
}

/** Scratch for members after the voxels (they are decompressed only to check them). */
const TAIL_SCRATCH = 1 << 16;

/**
 * Decompresses the gzip file `input` (every member) so that exactly `out.length` bytes fill
 * `out`, as the streaming reader would; returns the warnings the streaming reader would give
 * (trailing garbage), or null when libdeflate is not in use or did not succeed cleanly — the
 * caller then decodes with node:zlib, which reports the problem.
 */
export function gunzipWhole(input: Uint8Array, out: Uint8Array): string[] | null {
  if (!loaded) return null;
  const warnings = inflateMembers(loaded, input, out);
  counts[warnings ? "inflated" : "declined"]++;
  return warnings;
}

function inflateMembers(lib: Loaded, input: Uint8Array, out: Uint8Array): string[] | null {
  let inPos = 0;
  let outPos = 0;
  const member = (dest: Uint8Array): boolean => {
    const rest = input.subarray(inPos);
    const status = lib.gunzip(
      lib.decompressor,
      rest,
      rest.length,
      dest,
      dest.length,
      inUsed,
      outUsed,
    );
    if (status !== 0) return false;
    inPos += Number(inUsed[0]);
    return true;
  };
  const magicAt = (i: number) => i + 1 < input.length && input[i] === 0x1f && input[i + 1] === 0x8b;
  // The members that hold the bytes asked for (a stream ending early is the zlib path's error).
  while (outPos < out.length) {
    if (!magicAt(inPos)) return null;
    if (!member(out.subarray(outPos))) return null;
    outPos += Number(outUsed[0]);
  }
  // Members after them are checked as gzip(1) does; other bytes end the stream with a warning.
  let scratch: Uint8Array | undefined;
  while (inPos < input.length) {
    if (!magicAt(inPos)) {
      return [`trailing garbage after gzip data ignored (at compressed byte ${inPos})`];
    }
    scratch ??= new Uint8Array(TAIL_SCRATCH);
    if (!member(scratch) || Number(outUsed[0]) > 0) return null; // non-empty: zlib decides
  }
  return [];
}
