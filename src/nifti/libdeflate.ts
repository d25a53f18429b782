/**
 * Whole-buffer gzip inflate with the system's libdeflate (Debian `libdeflate0`) through Deno's
 * FFI: about 2× faster than node:zlib on CT volumes (issue 15.1). Decompression only — every
 * write keeps node:zlib, so output bytes and hashes never depend on which library is present.
 *
 * It is used only where it was turned on (`useLibdeflate`, by the runner's workers) and only
 * for a success: any other outcome (corrupt or truncated data, a member longer than the space
 * the header announces, bytes after the voxels) returns null, and the caller decodes the same
 * bytes again with node:zlib, so errors and warnings are word for word those of the zlib path.
 *
 * Permissions: `--allow-ffi=<the library's path>` (only that file). FFI code runs outside
 * Deno's sandbox; libdeflate does no I/O (it only reads and writes the two buffers given), is
 * loaded by absolute path from the system library folder, and is fuzzed continuously
 * (OSS-Fuzz). `MEDPREP_INFLATE=zlib` turns it off; without the grant it is never loaded;
 * `MEDPREP_INFLATE=libdeflate` makes its absence an error instead of a silent fallback.
 */

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
  path: string;
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
const inUsed = new BigUint64Array(1);
const outUsed = new BigUint64Array(1);

/** Whether this process may load `path` through FFI (the grant is never requested). */
function ffiGranted(path: string): boolean {
  try {
    return Deno.permissions.querySync({ name: "ffi", path }).state === "granted";
  } catch {
    return false;
  }
}

function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

/** What MEDPREP_INFLATE asks for (unset or unreadable: "auto"). */
export function inflateChoice(): "auto" | "zlib" | "libdeflate" {
  let choice: string | undefined;
  try {
    choice = Deno.env.get("MEDPREP_INFLATE");
  } catch { /* no --allow-env: the default */ }
  if (choice === undefined || choice === "" || choice === "auto") return "auto";
  if (choice === "zlib" || choice === "libdeflate") return choice;
  throw new Error(`MEDPREP_INFLATE must be auto, zlib or libdeflate, not "${choice}"`);
}

/**
 * The libdeflate this process may use: the first candidate present whose FFI grant was given,
 * or null (MEDPREP_INFLATE=zlib, no grant, no library). Needs --allow-env for MEDPREP_INFLATE
 * (without it the library is still found).
 * @throws Error when MEDPREP_INFLATE is invalid, or is `libdeflate` and none can be loaded
 */
export function findLibdeflate(
  candidates: readonly string[] = LIBDEFLATE_CANDIDATES,
): string | null {
  const choice = inflateChoice();
  if (choice === "zlib") return null;
  for (const path of candidates) {
    if (ffiGranted(path) && isFile(path)) return path;
  }
  if (choice === "libdeflate") {
    throw new Error(
      `MEDPREP_INFLATE=libdeflate, but no libdeflate is present with an FFI grant (looked for ${
        candidates.join(", ")
      }; Debian: apt-get install libdeflate0; run with --allow-ffi=<its path>)`,
    );
  }
  return null;
}

/**
 * Loads libdeflate from `path` for this thread (null: back to node:zlib only). Returns whether
 * it is in use; a library that cannot be loaded leaves node:zlib in use.
 */
export function useLibdeflate(path: string | null): boolean {
  if (loaded?.path === path) return true;
  loaded = null;
  if (path === null) return false;
  try {
    const lib = Deno.dlopen(path, SYMBOLS);
    const decompressor = lib.symbols.libdeflate_alloc_decompressor();
    if (decompressor === null) return false;
    loaded = {
      path,
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
