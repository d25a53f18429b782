/**
 * The real file access of a runner worker: synchronous NIfTI read/write (zlib runs inside the
 * worker thread) hashing the bytes read and written, save encoding (SPEC §2). Writes are
 * atomic (temp + rename).
 */
import { readNiftiHashedSync } from "../nifti/nifti_read.ts";
import { imageFromParts } from "../nifti/nifti_image.ts";
import { writeNiftiSync } from "../nifti/nifti_write.ts";
import { encodeForSave } from "../volume/encode.ts";
import type { DType, Rounding } from "../volume/dtype.ts";
import type { SubjectIo } from "./run_subject.ts";
import type { BufferPool } from "./buffer_pool.ts";
import type { FirstRead } from "./messages.ts";

/** A worker's subject I/O, which can also be handed reads the main thread already made. */
export interface WorkerIo extends SubjectIo {
  /**
   * Keeps `reads` (a first job's inputs, read by the main thread) for the current subject: a
   * read of the same path with the same options returns one of them instead of reading the file
   * again. Their buffers count as the subject's (the pool reuses them afterwards).
   */
  preload(reads: readonly FirstRead[]): void;
  /** Forgets the reads the subject did not ask for (called when it ends). */
  clearPreloaded(): void;
}

/**
 * Subject I/O backed by the real NIfTI reader and writer; with a pool, input voxel
 * buffers come from it (the caller releases them once the subject is written).
 */
export function createWorkerIo(pool?: BufferPool): WorkerIo {
  let preloaded: FirstRead[] = [];
  return {
    ...WORKER_IO,
    read: (path, { maxBytes, pairedWith }) => {
      const i = preloaded.findIndex((r) =>
        r.path === path && r.maxBytes === maxBytes && r.pairedWith === pairedWith
      );
      if (i >= 0) {
        const [{ description, buffer, files }] = preloaded.splice(i, 1);
        return { volume: imageFromParts(description, buffer).volume, files };
      }
      const allocate = pool && ((n: number) => pool.acquire(n));
      const { image, files } = readNiftiHashedSync(path, { maxBytes, pairedWith, allocate });
      return { volume: image.volume, files };
    },
    ...(pool ? { recycle: (live) => pool.releaseExcept(live) } : {}),
    preload(reads) {
      preloaded = [...reads];
      for (const r of reads) pool?.adoptInUse(r.buffer);
    },
    clearPreloaded() {
      preloaded = [];
    },
  };
}

/** Subject I/O backed by the real NIfTI reader and writer. */
export const WORKER_IO: SubjectIo = {
  read: (path, { maxBytes, pairedWith }) => {
    const { image, files } = readNiftiHashedSync(path, { maxBytes, pairedWith });
    return { volume: image.volume, files };
  },
  write: (path, volume, { level, mode }) => writeNiftiSync(path, volume, { level, mode }),
  writeBytes: (path, bytes, { mode }) => {
    const temp = `${path}.tmp-${crypto.randomUUID()}`;
    Deno.writeFileSync(temp, bytes, { mode });
    Deno.renameSync(temp, path);
  },
  rename: (from, to) => Deno.renameSync(from, to),
  encode: (item, dtype, rounding) =>
    encodeForSave(item, dtype as "auto" | "keep" | DType, {
      rounding: rounding as Rounding | undefined,
    }),
  remove: (path) => Deno.removeSync(path),
  mkdir: (path) => Deno.mkdirSync(path, { recursive: true }),
};
