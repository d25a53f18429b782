/**
 * Bounding boxes of voxels (pure math): the smallest box [start, stop) per axis holding every
 * voxel whose real value passes a test, in any frame; margins clamped to the volume.
 */
import { numericData, type Volume } from "./volume.ts";

/** A box of voxels: [start, stop) per axis (x, y, z). */
export interface Box {
  readonly start: [number, number, number];
  readonly stop: [number, number, number];
}

/**
 * Sets `mask[p]` (one entry per voxel position, x fastest) where the real value (raw × slope +
 * inter) of `volume` passes `test` in any frame; returns the mask.
 */
export function markVoxels(
  volume: Volume,
  test: (value: number) => boolean,
  mask: Uint8Array = new Uint8Array(volume.shape[0] * volume.shape[1] * volume.shape[2]),
): Uint8Array {
  const n = volume.shape[0] * volume.shape[1] * volume.shape[2];
  const data = numericData(volume), { slope, inter } = volume;
  for (let t = 0; t < volume.frames; t++) {
    const base = t * n;
    for (let p = 0; p < n; p++) if (!mask[p] && test(data[base + p] * slope + inter)) mask[p] = 1;
  }
  return mask;
}

/**
 * The box of the voxels of `volume` whose real value passes `test` in any frame, with how many
 * voxel positions pass; null when none does.
 */
export function deriveBoundingBox(
  volume: Volume,
  test: (value: number) => boolean,
): { box: Box; voxels: number } | null {
  return boxOfMask(markVoxels(volume, test), volume.shape);
}

/** The box of the nonzero entries of a mask of `shape` (x fastest), or null when it is empty. */
export function boxOfMask(
  mask: Uint8Array,
  shape: readonly [number, number, number],
): { box: Box; voxels: number } | null {
  const [nx, ny, nz] = shape;
  const lo = [nx, ny, nz], hi = [-1, -1, -1];
  let voxels = 0, p = 0;
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++, p++) {
        if (!mask[p]) continue;
        voxels++;
        if (i < lo[0]) lo[0] = i;
        if (i > hi[0]) hi[0] = i;
        if (j < lo[1]) lo[1] = j;
        if (j > hi[1]) hi[1] = j;
        if (k < lo[2]) lo[2] = k;
        if (k > hi[2]) hi[2] = k;
      }
    }
  }
  if (voxels === 0) return null;
  return {
    box: { start: [lo[0], lo[1], lo[2]], stop: [hi[0] + 1, hi[1] + 1, hi[2] + 1] },
    voxels,
  };
}

/** `box` grown by `margin[d]` voxels on both sides of each axis, clamped into `shape`. */
export function growBox(box: Box, margin: readonly number[], shape: readonly number[]): Box {
  return {
    start: [0, 1, 2].map((d) => Math.max(0, box.start[d] - margin[d])) as [number, number, number],
    stop: [0, 1, 2].map((d) => Math.min(shape[d], box.stop[d] + margin[d])) as [
      number,
      number,
      number,
    ],
  };
}

/** The centre of mass of the nonzero entries of a mask of `shape` (unweighted), or null. */
export function centreOfMask(
  mask: Uint8Array,
  shape: readonly [number, number, number],
): [number, number, number] | null {
  const [nx, ny, nz] = shape;
  let n = 0, sx = 0, sy = 0, sz = 0, p = 0;
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++, p++) {
        if (!mask[p]) continue;
        n++;
        sx += i;
        sy += j;
        sz += k;
      }
    }
  }
  return n === 0 ? null : [sx / n, sy / n, sz / n];
}
