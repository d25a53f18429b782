/**
 * Resampling of a volume onto a grid from `deriveResampleGrid` (SPEC §3), done
 * as separable 1-D passes: x and y inside each input plane, then z across
 * planes. B-spline prefiltering and anti-aliasing are per-axis line operators,
 * so they run inside their axis's pass. Values are interpolated in storage
 * units and re-encoded into the input's dtype with its slope/inter.
 */
import { createVoxelArray, DTYPE_INFO, encodeValue } from "./dtype.ts";
import { numericData, type Volume } from "./volume.ts";
import type { ResampleGrid } from "./grid.ts";
import {
  antialiasSigma,
  type AxisTaps,
  deriveAxisTaps,
  type Interpolation,
} from "./interpolate.ts";
import { gaussianKernel } from "./gaussian.ts";
import { borrowFloats, releaseFloats } from "./scratch.ts";
import { type AxisOp, SeparablePass } from "./separable_pass.ts";
import { emitPlane, gatherNearest } from "./resample_emit.ts";

/** How to sample: the interpolator, anti-aliasing and the fill value (real units). */
export interface ResampleOptions {
  readonly interpolation: Interpolation;
  readonly antialias: boolean;
  readonly fill: number;
}

/** Resamples every frame of `volume` onto `grid`; the result keeps dtype, slope and inter. */
export function resampleVolume(
  volume: Volume,
  grid: ResampleGrid,
  options: ResampleOptions,
): Volume {
  const { interpolation } = options;
  const ops = grid.axes.map((axis): AxisOp => {
    const kernel = options.antialias ? gaussianKernel(antialiasSigma(axis.r)) : null;
    const skip = axis.identity && !kernel;
    const taps = deriveAxisTaps(axis, skip ? "nearest" : interpolation);
    return { taps, kernel, prefilter: interpolation === "bspline" && !skip, skip };
  }) as [AxisOp, AxisOp, AxisOp];
  const [mx, my, mz] = grid.shape;
  const out = createVoxelArray(volume.dtype, mx * my * mz * volume.frames);
  const fillRaw = encodeValue((options.fill - volume.inter) / volume.slope, volume.dtype);
  const result = { ...volume, shape: grid.shape, affine: grid.affine, data: out };
  if (ops.every((op) => op.skip)) {
    (out as Float64Array).set(volume.data as Float64Array);
    return result;
  }
  const taps = ops.map((op) => op.taps) as [AxisTaps, AxisTaps, AxisTaps];
  if (ops.every((op) => op.taps.taps === 1 && !op.kernel)) {
    gatherNearest(volume, taps, out, fillRaw);
    return result;
  }
  const src = numericData(volume);
  // Float32 intermediates are exact enough for ≤16-bit and float32 data (SPEC tolerances).
  const f64 = DTYPE_INFO[volume.dtype].bytes > 2 && volume.dtype !== "float32";
  const sep = new SeparablePass(volume.shape, grid.shape, ops, f64);
  const zPlane = borrowFloats(f64, mx * my);
  for (let f = 0; f < volume.frames; f++) {
    sep.frame(src, f, (plane, k, blend) => {
      emitPlane(plane, out, (f * mz + k) * mx * my, taps, k, fillRaw, blend);
    }, zPlane);
  }
  releaseFloats(zPlane);
  sep.release();
  return result;
}
