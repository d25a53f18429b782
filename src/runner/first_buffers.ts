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
 */
import { readNiftiHeaderSync } from "../nifti/nifti_read.ts";
import { voxelByteCount } from "../nifti/nifti_info.ts";
import { MIN_POOLED, pooledSize } from "./buffer_pool.ts";
import { type AdviseHugePages, openHugePageAdvice } from "./huge_pages.ts";
import type { Job, WorkerInit } from "./messages.ts";

/** Bytes touched between two yields to the event loop (a few ms of page faults). */
const SLICE = 4 * 1024 * 1024;
const PAGE = 4096;

/** Voxel bytes of each input file of `job` (as the reader will ask its pool for them). */
export function inputVoxelBytes(job: Job): number[] {
  const sizes: number[] = [];
  for (const path of Object.values(job.paths)) {
    if (!path) continue;
    try {
      const bytes = voxelByteCount(readNiftiHeaderSync(path).info);
      if (bytes !== undefined && Number.isSafeInteger(bytes) && bytes >= MIN_POOLED) {
        sizes.push(bytes);
      }
    } catch { /* the worker reads it again and reports the problem */ }
  }
  return sizes;
}

/** A first subject's buffers being prepared; `take()` stops the touching and hands them over. */
export interface FirstBuffers {
  take(): ArrayBuffer[];
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
      return buffers;
    },
  };
}

/** This process's huge-page advice (null: none possible), opened on first use. */
let advice: { advise: AdviseHugePages | null } | undefined;

/** The pool's `firstBuffers` for workers started with `init` (libc opened once per process). */
export function firstBuffersFor(init: WorkerInit): (job: Job) => FirstBuffers {
  advice ??= { advise: openHugePageAdvice() };
  const advise = advice.advise;
  return (job) =>
    prepareFirstBuffers(inputVoxelBytes(job), { advise, maxBytes: init.maxInputBytes });
}
