/**
 * Array layouts for training loaders. medprep's volumes are stored x fastest (NIfTI order:
 * index = x + X·(y + Y·(z + Z·c))); NumPy / PyTorch / TensorFlow arrays are C order (last axis
 * fastest). `channels-first` is the C-order array of shape (C, X, Y, Z) — PyTorch / MONAI —
 * and `channels-last` of shape (X, Y, Z, C) — Keras; element [c, x, y, z] / [x, y, z, c] is
 * voxel (x, y, z) of frame c. A 3D volume has C = 1: the channel axis is always there, so every
 * role of every subject has the same rank (what MONAI's EnsureChannelFirst and nnU-Net's
 * preprocessed arrays hold).
 */
import { createVoxelArray, dtypeOf, type VoxelArray } from "./dtype.ts";
import type { Volume } from "./volume.ts";

/** The two array layouts. */
export const LAYOUTS = ["channels-first", "channels-last"] as const;

/** `channels-first` (C, X, Y, Z) or `channels-last` (X, Y, Z, C). */
export type Layout = typeof LAYOUTS[number];

/** The C-order shape of a volume in `layout`. */
export function layoutShape(volume: Pick<Volume, "shape" | "frames">, layout: Layout): number[] {
  const [x, y, z] = volume.shape;
  return layout === "channels-first" ? [volume.frames, x, y, z] : [x, y, z, volume.frames];
}

/** The volume's stored values rearranged into the C-order array of `layout` (same type). */
export function toLayout(
  volume: Pick<Volume, "shape" | "frames" | "data">,
  layout: Layout,
): VoxelArray {
  const [nx, ny, nz] = volume.shape;
  const nc = volume.frames;
  const result = createVoxelArray(dtypeOf(volume.data), volume.data.length);
  // Element copies only (numbers or bigints alike), so one indexable view of both arrays.
  const src = volume.data as unknown as { readonly [i: number]: number };
  const out = result as unknown as { [i: number]: number };
  const sy = nx, sz = nx * ny, sc = nx * ny * nz;
  let o = 0;
  if (layout === "channels-first") {
    for (let c = 0; c < nc; c++) {
      for (let x = 0; x < nx; x++) {
        for (let y = 0; y < ny; y++) {
          let s = c * sc + y * sy + x;
          for (let z = 0; z < nz; z++, s += sz) out[o++] = src[s];
        }
      }
    }
  } else {
    for (let x = 0; x < nx; x++) {
      for (let y = 0; y < ny; y++) {
        for (let z = 0; z < nz; z++) {
          let s = z * sz + y * sy + x;
          for (let c = 0; c < nc; c++, s += sc) out[o++] = src[s];
        }
      }
    }
  }
  return result;
}
