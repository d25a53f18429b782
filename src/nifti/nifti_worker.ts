/// <reference lib="deno.worker" />
/** Worker entry: reads one NIfTI file and transfers its voxel buffer back. */
import { NiftiError } from "../errors.ts";
import { readNiftiParts, type ReadOptions } from "./nifti_read.ts";

self.onmessage = (e: MessageEvent<{ path: string; options?: ReadOptions }>) => {
  const { path, options } = e.data;
  try {
    const { description, buffer } = readNiftiParts(path, options);
    self.postMessage({ ok: true, description, buffer }, [buffer]);
  } catch (err) {
    const file = err instanceof NiftiError ? err.file : undefined;
    const message = err instanceof Error ? err.message : String(err);
    self.postMessage({ ok: false, file, message });
  }
};
