/**
 * Transparent huge pages for the input buffers the main thread hands its workers (issue 15.1).
 *
 * On the measured VM a fresh 4 KiB page costs ~13 µs to fault in, so a 157 MB CT spends ~0.6 s
 * of its 0.9 s read in page faults; in 2 MiB pages the same buffer faults in 3–30× faster. With
 * the kernel's THP mode `madvise` (Ubuntu's and many VMs' default) only memory marked with
 * madvise(MADV_HUGEPAGE) gets them. glibc's `glibc.malloc.hugetlb=1` tunable (set by every
 * launcher) is meant to mark large allocations, but glibc 2.36 (Debian 12) decides whether to
 * from an unterminated read of /sys/kernel/mm/transparent_hugepage/enabled (`__malloc_thp_mode`
 * compares a 24-byte stack buffer of which it filled 23), so about half of all processes get
 * no huge pages at all. Here the main thread marks the buffers itself, through libc's
 * `madvise`, before any page of them is touched.
 *
 * Permissions: `--allow-ffi` for libc, in the main thread only — the workers never get it (their
 * FFI grant stays the opt-in libdeflate file, pool.ts). madvise(MADV_HUGEPAGE) is advice: it
 * never changes a byte of the buffer, and without the grant, on another kernel or OS, or with
 * THP off, nothing is marked and everything works as before (best effort, no message).
 */
import { locateGrantedLibrary } from "../nifti/ffi_library.ts";

/** Where distributions put the C library (the first one granted and present is used). */
export const LIBC_CANDIDATES: readonly string[] = [
  "/usr/lib/x86_64-linux-gnu/libc.so.6",
  "/usr/lib/aarch64-linux-gnu/libc.so.6",
  "/usr/lib64/libc.so.6",
];

/** Linux's MADV_HUGEPAGE (the same value on every architecture). */
const MADV_HUGEPAGE = 14;
/** Bytes of a base page; madvise needs a page-aligned start. */
const PAGE = 4096;
/** Smaller buffers cannot hold a whole huge page. */
const HUGE_PAGE = 2 * 1024 * 1024;

/** Marks a buffer for huge pages before it is touched; returns whether it was marked. */
export type AdviseHugePages = (buffer: ArrayBuffer) => boolean;

/**
 * The huge-page advice of this process, or null without a way to give it (not Linux, or no
 * granted libc). The kernel's THP mode is not read first (Deno allows reading /sys only with
 * --allow-all): under `always` the advice changes nothing, under `never` it is ignored, and a
 * kernel without THP refuses it (the buffer then stays as it was).
 */
export function openHugePageAdvice(
  options: { candidates?: readonly string[] } = {},
): AdviseHugePages | null {
  if (Deno.build.os !== "linux") return null;
  const path = locateGrantedLibrary(options.candidates ?? LIBC_CANDIDATES);
  if (!path) return null;
  // Path-scoped FFI cannot read a buffer's address (Deno.UnsafePointer.of needs --allow-ffi for
  // everything), so memmove(b, b, 0) — which moves nothing and returns its first argument —
  // tells it, and madvise gets the buffer from its first whole page on.
  let lib;
  try {
    lib = Deno.dlopen(path, {
      memmove: { parameters: ["buffer", "buffer", "usize"], result: "usize" },
      madvise: { parameters: ["buffer", "usize", "i32"], result: "i32" },
    }).symbols;
  } catch {
    return null;
  }
  const { memmove, madvise } = lib;
  return (buffer) => {
    if (buffer.byteLength < HUGE_PAGE) return false;
    const bytes = new Uint8Array(buffer);
    const address = BigInt(memmove(bytes, bytes, 0n));
    const skip = Number((BigInt(PAGE) - address % BigInt(PAGE)) % BigInt(PAGE));
    const length = Math.floor((buffer.byteLength - skip) / PAGE) * PAGE;
    if (length <= 0) return false;
    return madvise(bytes.subarray(skip), BigInt(length), MADV_HUGEPAGE) === 0;
  };
}
