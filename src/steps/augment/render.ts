import { createVoxelArray, encodeValue, type VoxelArray } from "../../volume/dtype.ts";
import { createCoordinateMap, isIntegralChain } from "../../volume/transform.ts";
import { createVolume, numericData, type Volume } from "../../volume/volume.ts";
import { type Interpolation, warp, type WarpSource } from "../../volume/warp.ts";
import type { Item } from "../step.ts";
import type { AugmentTransform, Grid } from "./augment_transform.ts";
import type { Happened, Sample } from "./realize.ts";

/** An intensity transform that fired, with its values. */
export interface IntensityCall {
  readonly def: AugmentTransform;
  readonly realized: Happened;
}

/** How the images of a sample are rendered. */
export interface RenderOptions {
  interpolation: Interpolation;
  /** Image fill in real units (default: the image's minimum). */
  fill?: number;
  /** Intensity transforms applied on the input grid (before sampling) and on the output grid. */
  before: readonly IntensityCall[];
  after: readonly IntensityCall[];
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
  const d = numericData(volume), out = new Float32Array(d.length);
  for (let i = 0; i < d.length; i++) out[i] = d[i] * volume.slope + volume.inter;
  return out;
}

function sampleInto(src: WarpSource, sample: Sample, dtype: Volume["dtype"], o: {
  interpolation: Interpolation;
  fill: number;
  slope?: number;
  inter?: number;
}): VoxelArray {
  const map = createCoordinateMap(sample.grid.shape, sample.chain);
  const n = sample.grid.shape[0] * sample.grid.shape[1] * sample.grid.shape[2] * src.frames;
  const interpolation = isIntegralChain(sample.chain) ? "nearest" : o.interpolation;
  if (dtype !== "int64" && dtype !== "uint64") {
    const out = createVoxelArray(dtype, n) as Exclude<VoxelArray, BigInt64Array | BigUint64Array>;
    warp(src, map, out, { ...o, interpolation });
    return out;
  }
  const tmp = new Float64Array(n), out = createVoxelArray(dtype, n) as BigInt64Array;
  warp(src, map, tmp, { ...o, interpolation });
  for (let i = 0; i < n; i++) out[i] = BigInt(encodeValue(tmp[i], dtype));
  return out;
}

function run(calls: readonly IntensityCall[], data: Float32Array, grid: Grid, frames: number) {
  for (const c of calls) c.def.intensity!(c.realized, { data, grid, frames });
}

/**
 * Renders one item of a sample: labels with nearest and fill 0 in their own
 * type; images sampled once with `interpolation`, kept in their storage type
 * unless an intensity transform fired (then float32 real values).
 */
export function renderItem(item: Item, sample: Sample, options: RenderOptions): {
  item: Item;
  fill: number;
} {
  const vol = item.volume;
  const identity = sample.chain.length === 0 &&
    sample.grid.shape.every((n, a) => n === vol.shape[a]);
  const grid = identity ? { shape: vol.shape, affine: vol.affine } : sample.grid;
  const rebuild = (data: VoxelArray, slope: number, inter: number): Volume =>
    createVolume({ ...grid, frames: vol.frames, data, slope, inter, meta: vol.meta });
  if (item.label) {
    if (identity) return { item, fill: 0 };
    const fill = (0 - vol.inter) / (vol.slope || 1);
    const src = { data: numericData(vol), shape: vol.shape, frames: vol.frames };
    const data = sampleInto(src, sample, vol.dtype, { interpolation: "nearest", fill });
    return { item: { ...item, volume: rebuild(data, vol.slope, vol.inter) }, fill: 0 };
  }
  const fill = options.fill ?? deriveMinimum(vol);
  const calls = [...options.before, ...options.after];
  if (calls.length === 0) {
    if (identity) return { item, fill };
    const src = { data: numericData(vol), shape: vol.shape, frames: vol.frames };
    const raw = (fill - vol.inter) / (vol.slope || 1);
    const o = { interpolation: options.interpolation, fill: raw };
    return {
      item: {
        ...item,
        volume: rebuild(sampleInto(src, sample, vol.dtype, o), vol.slope, vol.inter),
      },
      fill,
    };
  }
  let src: WarpSource & { slope: number; inter: number };
  if (options.before.length > 0) {
    const f = toFloat32(vol);
    run(options.before, f, { shape: vol.shape, affine: vol.affine }, vol.frames);
    src = { data: f, shape: vol.shape, frames: vol.frames, slope: 1, inter: 0 };
  } else {
    src = {
      data: numericData(vol),
      shape: vol.shape,
      frames: vol.frames,
      slope: vol.slope,
      inter: vol.inter,
    };
  }
  let data: Float32Array;
  if (identity) {
    data = options.before.length > 0 ? src.data as Float32Array : toFloat32(vol);
  } else {
    data = sampleInto(src, sample, "float32", {
      interpolation: options.interpolation,
      fill,
      slope: src.slope,
      inter: src.inter,
    }) as Float32Array;
  }
  run(options.after, data, grid, vol.frames);
  const reason = `augment: ${calls[0].def.name} made values fractional`;
  return { item: { ...item, volume: rebuild(data, 1, 0), dtypeReason: reason }, fill };
}
