/**
 * The real file access of a runner worker: synchronous NIfTI read/write (zlib runs inside the
 * worker thread), sha256 of files, save encoding (SPEC §2). Writes are atomic (temp + rename).
 */
import { sha256FileSync } from "../nifti/hash.ts";
import { readNiftiSync } from "../nifti/nifti_read.ts";
import { writeNiftiSync } from "../nifti/nifti_write.ts";
import { encodeForSave } from "../volume/encode.ts";
import type { DType } from "../volume/dtype.ts";
import type { SubjectIo } from "./run_subject.ts";
import type { BufferPool } from "./buffer_pool.ts";

/**
 * Subject I/O backed by the real NIfTI reader and writer; with a pool, input voxel
 * buffers come from it (the caller releases them once the subject is written).
 */
export function createWorkerIo(pool?: BufferPool): SubjectIo {
  return {
    ...WORKER_IO,
    read: (path, { maxBytes }) =>
      readNiftiSync(path, { maxBytes, allocate: pool && ((n) => pool.acquire(n)) }).volume,
  };
}

/** Subject I/O backed by the real NIfTI reader and writer. */
export const WORKER_IO: SubjectIo = {
  read: (path, { maxBytes }) => readNiftiSync(path, { maxBytes }).volume,
  write: (path, volume, { level }) => writeNiftiSync(path, volume, { level }),
  writeBytes: (path, bytes) => {
    const temp = `${path}.tmp-${crypto.randomUUID()}`;
    Deno.writeFileSync(temp, bytes);
    Deno.renameSync(temp, path);
  },
  rename: (from, to) => Deno.renameSync(from, to),
  sha256: sha256FileSync,
  encode: (item, dtype) => encodeForSave(item, dtype as "auto" | "keep" | DType),
  remove: (path) => Deno.removeSync(path),
  mkdir: (path) => Deno.mkdirSync(path, { recursive: true }),
};
