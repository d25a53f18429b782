/** Runs one NIfTI read in a short-lived worker; the voxel buffer is transferred, not cloned. */
import { NiftiError } from "../errors.ts";
import type { ReadOptions } from "./nifti_decode.ts";
import type { NiftiDescription } from "./nifti_info.ts";
import { imageFromParts, type NiftiImage } from "./nifti_image.ts";

type Answer =
  | { ok: true; description: NiftiDescription; buffer: ArrayBuffer }
  | { ok: false; file?: string; message: string };

/**
 * Reads `path` in a worker thread.
 * @throws NiftiError (or Error) with the worker's message
 */
export function readInWorker(path: string, options?: ReadOptions): Promise<NiftiImage> {
  const worker = new Worker(new URL("./nifti_worker.ts", import.meta.url), { type: "module" });
  return new Promise<NiftiImage>((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<Answer>) => {
      worker.terminate();
      const a = e.data;
      if (a.ok) return resolve(imageFromParts(a.description, a.buffer));
      if (a.file === undefined) return reject(new Error(a.message));
      const err = new NiftiError(a.file, "");
      err.message = a.message;
      reject(err);
    };
    worker.onerror = (e) => {
      e.preventDefault();
      worker.terminate();
      reject(new NiftiError(path, `reader worker failed: ${e.message}`));
    };
    worker.postMessage({ path, options });
  });
}
