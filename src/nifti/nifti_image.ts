/** A decoded NIfTI image: the volume plus what the file said about it. */
import { viewVoxelArray } from "../volume/dtype.ts";
import { createVolume } from "../volume/volume.ts";
import type { Volume } from "../volume/volume.ts";
import type { NiftiDescription, NiftiInfo } from "./nifti_info.ts";

/** A volume read from a file, with what the file said about it. */
export interface NiftiImage {
  /** The voxels and geometry. */
  volume: Volume;
  /** What the header said about the file. */
  info: NiftiInfo;
}

/** Builds the image from a header description and its voxel buffer (possibly transferred from a worker). */
export function imageFromParts(d: NiftiDescription, buffer: ArrayBuffer): NiftiImage {
  const frames = d.frames * d.extra;
  const volume = createVolume({
    shape: d.shape,
    frames,
    // The buffer may be longer than the data (a reused one): view exactly the voxels.
    data: viewVoxelArray(d.dtype!, buffer, 0, d.shape[0] * d.shape[1] * d.shape[2] * frames),
    affine: d.affine,
    slope: d.info.sclSlope,
    inter: d.info.sclInter,
    meta: d.meta,
  });
  return { volume, info: d.info };
}
