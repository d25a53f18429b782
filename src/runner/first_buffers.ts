/**
 * The input buffers of a worker's first subject, made ready by the main thread while the worker
 * starts (issue 15.1). A worker needs ~0.2 s to load its modules before it can read anything,
 * and a fresh buffer then costs most of the read in page faults (~0.6 s of a 0.9 s read of a
 * 157 MB CT on the measured VM). Meanwhile the main thread, idle, allocates the buffers the
 * subject's voxels will need (sized from the headers), marks them for huge pages when it can
 * (huge_pages.ts), and touches their pages; the job message then transfers them (no copy) and
 * the worker's buffer pool hands them to the reader. Later subjects reuse the pool's buffers.
 *
 * Touching writes zeros into memory that is zero already, and the buffers leave this thread
 * with the job, before the worker writes anything into them. A header that cannot be read, an
 * unsupported type or a size the pool would not take simply gets no buffer: the worker then
 * allocates as before and reports any problem itself.
 *
 * When the main thread has a core no worker uses (`--workers` below the cores, e.g. one subject
 * or `--workers 1` on two cores), it does more for the first worker: it reads that worker's
 * first subject itself (`prepareFirstRead`) with the reader the worker would use — the same
 * function, options, inflater and hashing — into advised buffers, while the worker loads its
 * modules, and the worker then starts with the volumes in hand (one subject of the CT:
 * the ~0.2 s worker start-up now overlaps the 0.25–0.4 s read instead of preceding it). Only one
 * worker gets this: the main thread reads synchronously, so reading for a second worker would
 * keep that one waiting longer than reading for itself. A file the main thread cannot read is
 * simply not handed over; the worker reads it and reports the problem in its own words.
 */
import { readNiftiHashedPartsSync, readNiftiHeaderSync } from "../nifti/nifti_read.ts";
import { useLibdeflate } from "../nifti/libdeflate.ts";
import { voxelByteCount } from "../nifti/nifti_info.ts";
import { MIN_POOLED, pooledSize } from "./buffer_pool.ts";
import { type AdviseHugePages, openHugePageAdvice } from "./huge_pages.ts";
import type { FirstRead, Job, WorkerInit } from "./messages.ts";

/** Bytes touched between two yields to the event loop (a few ms of page faults). */
const SLICE = 4 * 1024 * 1024;
const PAGE = 4096;

/** Voxel bytes of an input file as the reader will ask its pool for them (undefined: none). */
function voxelBytesOf(path: string): number | undefined {
  try {
    const bytes = voxelByteCount(readNiftiHeaderSync(path).info);
    return bytes !== undefined && Number.isSafeInteger(bytes) ? bytes : undefined;
  } catch {
    return undefined; // the worker reads it again and reports the problem
  }
}

/** Voxel bytes of each input file of `job` that the pool would keep. */
export function inputVoxelBytes(job: Job): number[] {
  return Object.values(job.paths).flatMap((path) => {
    const bytes = path ? voxelBytesOf(path) : undefined;
    return bytes !== undefined && bytes >= MIN_POOLED ? [bytes] : [];
  });
}

/**
 * A first subject's inputs being prepared; `take()` stops the work and hands over what is
 * ready: empty buffers for the reader, or whole reads.
 */
export interface FirstBuffers {
  take(): { buffers: ArrayBuffer[]; reads: FirstRead[] };
}

/**
 * Allocates `pooledSize` buffers for `sizes` (at most `maxBytes` in all), advises them, and
 * touches their pages in slices between event-loop turns until `take()` is called.
 */
export function prepareFirstBuffers(
  sizes: readonly number[],
  options: { advise?: AdviseHugePages | null; maxBytes: number },
): FirstBuffers {
  const buffers: ArrayBuffer[] = [];
  /** Bytes of each buffer the reader will fill: only those are touched (not the pool's headroom). */
  const used: number[] = [];
  let total = 0;
  for (const bytes of sizes) {
    const size = pooledSize(bytes);
    if (total + size > options.maxBytes) break;
    total += size;
    const buffer = new ArrayBuffer(size);
    options.advise?.(buffer);
    buffers.push(buffer);
    used.push(bytes);
  }
  let taken = false;
  let index = 0, offset = 0;
  const touchSlice = () => {
    if (taken || index >= buffers.length) return;
    const bytes = new Uint8Array(buffers[index], 0, used[index]);
    const end = Math.min(bytes.length, offset + SLICE);
    for (let i = offset; i < end; i += PAGE) bytes[i] = 0;
    offset = end;
    if (offset >= bytes.length) {
      index++;
      offset = 0;
    }
    setTimeout(touchSlice, 0);
  };
  if (buffers.length > 0) setTimeout(touchSlice, 0);
  return {
    take() {
      taken = true;
      return { buffers, reads: [] };
    },
  };
}

/**
 * Reads `job`'s input files on this thread at the next event-loop turn, as the worker's
 * `read` would (worker_io.ts: maxBytes, the resolved pair), into new pool-sized buffers advised
 * for huge pages, at most `maxBytes` of voxels in all (a file past that is left to the worker).
 * Nothing is read once `take()` was called.
 */
export function prepareFirstRead(
  job: Job,
  options: { advise?: AdviseHugePages | null; maxBytes: number },
): FirstBuffers {
  const { advise, maxBytes } = options;
  const reads: FirstRead[] = [];
  let taken = false;
  const allocate = (bytes: number) => {
    if (bytes < MIN_POOLED) return new ArrayBuffer(bytes);
    const buffer = new ArrayBuffer(pooledSize(bytes));
    advise?.(buffer);
    return buffer;
  };
  setTimeout(() => {
    let total = 0;
    for (const path of new Set(Object.values(job.paths))) {
      if (taken) return;
      if (!path) continue;
      const bytes = voxelBytesOf(path);
      if (bytes === undefined || total + bytes > maxBytes) continue;
      const pairedWith = job.pairs?.[path];
      try {
        const parts = readNiftiHashedPartsSync(path, { maxBytes, pairedWith, allocate });
        reads.push({ path, maxBytes, pairedWith, ...parts });
        total += bytes;
      } catch { /* the worker reads it again and reports the problem */ }
    }
  }, 0);
  return {
    take() {
      taken = true;
      return { buffers: [], reads };
    },
  };
}

/** This process's huge-page advice (null: none possible), opened on first use. */
let advice: { advise: AdviseHugePages | null } | undefined;

/**
 * The pool's `firstBuffers` for workers started with `init` (libc opened once per process);
 * with `readFirst`, the first worker's first subject is read here (`prepareFirstRead`, with the
 * workers' inflater), the others get touched buffers.
 */
export function firstBuffersFor(
  init: WorkerInit,
  options: { readFirst?: boolean } = {},
): (job: Job) => FirstBuffers {
  advice ??= { advise: openHugePageAdvice() };
  const advise = advice.advise;
  const maxBytes = init.maxInputBytes;
  let readNext = options.readFirst ?? false;
  if (readNext && !useLibdeflate(init.libdeflate ?? null) && init.libdeflate) readNext = false;
  return (job) => {
    if (!readNext) return prepareFirstBuffers(inputVoxelBytes(job), { advise, maxBytes });
    readNext = false;
    return prepareFirstRead(job, { advise, maxBytes });
  };
}
