/**
 * The real file access of a runner worker: synchronous NIfTI read/write (zlib runs inside the
 * worker thread) hashing the bytes read and written, save encoding (SPEC §2). Writes are
 * atomic (temp + rename).
 */
import { readNiftiHashedSync } from "../nifti/nifti_read.ts";
import { writeNiftiSync } from "../nifti/nifti_write.ts";
import { encodeForSave } from "../volume/encode.ts";
import type { DType, Rounding } from "../volume/dtype.ts";
import type { SubjectIo } from "./run_subject.ts";
import type { BufferPool } from "./buffer_pool.ts";

/**
 * Subject I/O backed by the real NIfTI reader and writer; with a pool, input voxel
 * buffers come from it (the caller releases them once the subject is written).
 */
export function createWorkerIo(pool?: BufferPool): SubjectIo {
  return {
    ...WORKER_IO,
    read: (path, { maxBytes, pairedWith }) => {
      const allocate = pool && ((n: number) => pool.acquire(n));
      const { image, files } = readNiftiHashedSync(path, { maxBytes, pairedWith, allocate });
      return { volume: image.volume, files };
    },
    ...(pool ? { recycle: (live) => pool.releaseExcept(live) } : {}),
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
