/**
 * World-space resampling of a volume onto another grid (resample-to-reference, restore): output
 * voxel p samples the input at continuous index inv(A_in) · A_out · p, through both affines, so
 * any direction, flip, permutation or shear is handled (not separable: the general coordinate-map
 * sampler of warp.ts, SPEC §3 boundaries and interpolators). Matrix entries within 1e-9 of an
 * integer are snapped (transform.ts `composeStages`), so grids that differ by whole voxels, flips
 * or axis permutations map voxel centres exactly onto voxel centres. Pure math, no I/O.
 */
import { invertAffine, multiplyAffine } from "./affine.ts";
import {
  createVoxelArray,
  encodeValue,
  type FloatStorage,
  floatTypeOf,
  type NumberArray,
} from "./dtype.ts";
import type { Grid } from "./grid.ts";
import type { Interpolation } from "./interpolate.ts";
import { composeStages, createCoordinateMap, isIntegralChain, matrixOf } from "./transform.ts";
import { numericData, type Volume } from "./volume.ts";
import { warp } from "./warp.ts";
import { gatherWide, OUTSIDE, voxelIndices, type WideArray } from "./wide_nearest.ts";

/** How `resampleOnto` samples. */
export interface OntoOptions {
  readonly interpolation: Interpolation;
  /** Value of samples outside the input's field of view, in real units. */
  readonly fill: number;
  /** How linear / B-spline results are stored (`floatStorageOf`); absent: float64. */
  readonly floats?: FloatStorage;
}

/** The 3×4 voxel matrix mapping an output index of `target` to an input index of `source`. */
export function ontoMatrix(source: Grid, target: Grid): number[] {
  return matrixOf(multiplyAffine(invertAffine(source.affine), target.affine));
}

/**
 * Every frame of `volume` resampled onto `target` (its shape and affine). Nearest-neighbour
 * sampling (or a map that only reads whole voxels) keeps the stored type and scaling when the
 * fill is representable in it; linear and B-spline results are real values (slope 1, inter 0:
 * the fill stays exact) stored as `options.floats` says (float64 by default), never rounded
 * (SPEC §2: only `save` rounds).
 */
export function resampleOnto(volume: Volume, target: Grid, options: OntoOptions): Volume {
  const stages = composeStages([{ kind: "matrix", m: ontoMatrix(volume, target) }]);
  const [nx, ny, nz] = target.shape;
  const n = nx * ny * nz * volume.frames;
  const fillRaw = (options.fill - volume.inter) / volume.slope;
  // Whole-voxel maps read input voxels only: every interpolator gives the voxel itself.
  const interpolation = isIntegralChain(stages) ? "nearest" : options.interpolation;
  const keep = interpolation === "nearest" && encodeValue(fillRaw, volume.dtype) === fillRaw;
  const storage = options.floats ?? "float64";
  const dtype = keep ? volume.dtype : floatTypeOf(storage);
  const out = createVoxelArray(dtype, n);
  const shape: [number, number, number] = [nx, ny, nz];
  const sameShape = volume.shape.every((s, a) => s === shape[a]);
  if (keep && stages.length === 0 && sameShape) {
    (out as Float64Array).set(volume.data as Float64Array);
  } else if (out instanceof BigInt64Array || out instanceof BigUint64Array) {
    // 64-bit integers (nearest: `keep`): indices are sampled, values copied (wide_nearest.ts).
    const index = new Float64Array(n);
    const indices = { ...source(volume), data: voxelIndices(volume.data.length) };
    warp(indices, createCoordinateMap(shape, stages), index, { interpolation, fill: OUTSIDE });
    gatherWide(index, volume.data as WideArray, out, BigInt(fillRaw));
  } else {
    const { slope, inter } = volume;
    const scaling = keep ? { fill: fillRaw } : { fill: options.fill, slope, inter };
    warp(source(volume), createCoordinateMap(shape, stages), out as NumberArray, {
      interpolation,
      ...scaling,
      keeping: storage === "float32-keeping",
    });
  }
  return {
    ...volume,
    shape,
    affine: target.affine.map((row) => [...row]),
    dtype,
    data: out,
    ...(keep ? {} : { slope: 1, inter: 0 }),
  };
}

function source(volume: Volume) {
  return { data: numericData(volume), shape: volume.shape, frames: volume.frames };
}
