import {
  createVoxelArray,
  encodeValue,
  floatTypeOf,
  type NumberArray,
  type VoxelArray,
} from "../../volume/dtype.ts";
import { createCoordinateMap, isIntegralChain } from "../../volume/transform.ts";
import { createVolume, numericData, type Volume, withoutCalibration } from "../../volume/volume.ts";
import type { Interpolation } from "../../volume/interpolate.ts";
import { warpAll, type WarpJob } from "../../volume/warp.ts";
import { gatherWide, OUTSIDE, voxelIndices, type WideArray } from "../../volume/wide_nearest.ts";
import type { Item } from "../step.ts";
import { type FloatPlan, floatStorageOf } from "../../volume/encode.ts";
import type { Grid } from "../../volume/grid.ts";
import type { AugmentTransform } from "./augment_transform.ts";
import type { Happened, Sample } from "./realize.ts";

/** An intensity transform that fired, with its values. */
export interface IntensityCall {
  readonly def: AugmentTransform;
  readonly realized: Happened;
}

/** How the items of a sample are rendered. */
export interface RenderOptions {
  interpolation: Interpolation;
  /** Image fill in real units (default: the image's minimum). */
  fill?: number;
  /** Intensity transforms applied on the input grid (before sampling) and on the output grid. */
  before: readonly IntensityCall[];
  after: readonly IntensityCall[];
  /**
   * Why images are stored as float32 even when no intensity transform fired for this
   * sample (set when the recipe lists one, so every copy has the same type).
   */
  floatReason?: string;
  /**
   * Where interpolated images without intensity transforms go (`StepContext.floats`): their
   * storage is `floatStorageOf` (float64 when absent). Intensity transforms work in float32.
   */
  floats?: FloatPlan;
}

/** The smallest real value of a volume (NaN ignored; 0 when there is none). */
export function deriveMinimum(volume: Volume): number {
  const d = numericData(volume);
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo > hi) return 0;
  return (volume.slope >= 0 ? lo : hi) * volume.slope + volume.inter;
}

function toFloat32(volume: Volume): Float32Array {
  const d = numericData(volume), out = createVoxelArray("float32", d.length) as Float32Array;
  for (let i = 0; i < d.length; i++) out[i] = d[i] * volume.slope + volume.inter;
  return out;
}

function runIntensity(
  calls: readonly IntensityCall[],
  data: Float32Array,
  grid: Grid,
  frames: number,
) {
  for (const c of calls) c.def.intensity!(c.realized, { data, grid, frames });
}

/** An item's output: its data once sampled, and how to finish it. */
interface Plan {
  data: VoxelArray | null;
  finish: (data: VoxelArray | null) => Item;
  fill: number;
}

/**
 * Renders every item of a sample with one pass over the output grid: labels
 * with nearest and fill 0 in their own type; images with `interpolation`, in
 * their storage units (float for linear/B-spline, SPEC §2) unless an intensity transform
 * fired (then float32 real values, intensity transforms before/after the sampling as listed).
 */
export function renderItems(items: readonly Item[], sample: Sample, options: RenderOptions): {
  items: Item[];
  fills: Record<string, number>;
  /** Interpolator each role was sampled with (absent when it was not resampled). */
  interpolation: Record<string, Interpolation>;
} {
  const identity = sample.chain.length === 0 &&
    items.every((it) => sample.grid.shape.every((n, a) => n === it.volume.shape[a]));
  const integral = isIntegralChain(sample.chain);
  const calls = [...options.before, ...options.after];
  const jobs: WarpJob[] = [];
  const wide: { index: Float64Array; source: WideArray; out: WideArray; fill: bigint }[] = [];
  const used: Record<string, Interpolation> = {};
  // `src` undefined: the volume's own values (not converted at all for 64-bit integers).
  const sampled = (
    role: string,
    src: NumberArray | undefined,
    vol: Volume,
    dtype: Volume["dtype"],
    o: {
      interpolation: Interpolation;
      fill: number;
      slope?: number;
      inter?: number;
      keeping?: boolean;
    },
  ): VoxelArray => {
    const n = sample.grid.shape[0] * sample.grid.shape[1] * sample.grid.shape[2] * vol.frames;
    const geometry = { shape: vol.shape, frames: vol.frames };
    const interpolation = integral ? "nearest" : o.interpolation;
    used[role] = interpolation;
    const out = createVoxelArray(dtype, n);
    if (out instanceof BigInt64Array || out instanceof BigUint64Array) {
      // Stored 64-bit integers (nearest only): indices are sampled, values copied exactly.
      const index = new Float64Array(n);
      const indices = { ...geometry, data: voxelIndices(vol.data.length) };
      jobs.push({ source: indices, out: index, options: { interpolation, fill: OUTSIDE } });
      wide.push({ index, source: vol.data as WideArray, out, fill: BigInt(o.fill) });
    } else {
      const source = { ...geometry, data: src ?? numericData(vol) };
      jobs.push({ source, out, options: { ...o, interpolation } });
    }
    return out;
  };
  const plans: Plan[] = items.map((item) => {
    const vol = item.volume;
    const grid = identity ? { shape: vol.shape, affine: vol.affine } : sample.grid;
    const rebuild = (data: VoxelArray, slope: number, inter: number): Volume =>
      createVolume({ ...grid, frames: vol.frames, data, slope, inter, meta: vol.meta });
    if (item.label || (calls.length === 0 && !options.floatReason)) {
      const fill = item.label ? 0 : options.fill ?? deriveMinimum(vol);
      if (identity) return { data: null, finish: () => item, fill };
      const o = {
        interpolation: item.label ? "nearest" as const : options.interpolation,
        fill: (fill - vol.inter) / (vol.slope || 1),
      };
      // SPEC §2: interpolated values are real numbers (float, raw units, rounded only by
      // save); input values only (nearest) keep their type when the fill fits it.
      const copies = integral || o.interpolation === "nearest";
      const storage = floatStorageOf(item, options.floats);
      const dtype = copies && encodeValue(o.fill, vol.dtype) === o.fill
        ? vol.dtype
        : floatTypeOf(storage);
      const keeping = storage === "float32-keeping";
      return {
        data: sampled(item.role, undefined, vol, dtype, { ...o, keeping }),
        finish: (d) => ({ ...item, volume: rebuild(d!, vol.slope, vol.inter) }),
        fill,
      };
    }
    const fill = options.fill ?? deriveMinimum(vol);
    const reason = options.floatReason ?? `augment: ${calls[0].def.name} made values fractional`;
    const done = (d: Float32Array): Item => {
      runIntensity(options.after, d, grid, vol.frames);
      // SPEC §2: values changed meaning (cal_min/cal_max 0) only when a transform fired.
      const volume = calls.length > 0 ? withoutCalibration(rebuild(d, 1, 0)) : rebuild(d, 1, 0);
      return { ...item, volume, dtypeReason: reason };
    };
    let src: NumberArray = numericData(vol), slope = vol.slope, inter = vol.inter;
    if (options.before.length > 0) {
      const f = toFloat32(vol);
      runIntensity(options.before, f, { shape: vol.shape, affine: vol.affine }, vol.frames);
      [src, slope, inter] = [f, 1, 0];
      if (identity) return { data: null, finish: () => done(f), fill };
    }
    if (identity) return { data: null, finish: () => done(toFloat32(vol)), fill };
    const o = { interpolation: options.interpolation, fill, slope, inter };
    return {
      data: sampled(item.role, src, vol, "float32", o),
      finish: (d) => done(d as Float32Array),
      fill,
    };
  });
  if (jobs.length > 0) warpAll(jobs, createCoordinateMap(sample.grid.shape, sample.chain));
  for (const w of wide) gatherWide(w.index, w.source, w.out, w.fill);
  const fills: Record<string, number> = {};
  items.forEach((it, q) => (fills[it.role] = plans[q].fill));
  return { items: plans.map((p) => p.finish(p.data)), fills, interpolation: used };
}
