/**
 * Crop-or-pad to a fixed size (pure math), shared by the `crop-or-pad` step and the augment
 * transform of the same name. Where the window goes on an axis of N input voxels with M output
 * voxels: `start` keeps the first voxel, `end` the last, `center` is TorchIO's `CropOrPad`
 * (the larger half of an odd difference is removed from — or added before — the start:
 * origin = ceil((N − M) / 2) when cropping, −ceil((M − N) / 2) when padding, i.e. (N − M) / 2
 * rounded half away from zero). MONAI's `ResizeWithPadOrCrop` puts the odd voxel at the end
 * when padding and differs by one when cropping an odd difference from an even size.
 */
import {
  createVoxelArray,
  type DType,
  DTYPE_INFO,
  float32Keeping,
  type FloatStorage,
  floatTypeOf,
  labelTypeHolding,
  type NumberArray,
  roundHalfAwayFromZero,
} from "./dtype.ts";
import { windowVolume } from "./primitives.ts";
import { createVolume, numericData, type Volume } from "./volume.ts";

/** Where a fixed-size window sits on each axis. */
export const ANCHORS = ["center", "start", "end"] as const;

/** Where a fixed-size window sits on each axis (see the module comment). */
export type Anchor = typeof ANCHORS[number];

/**
 * The first input voxel of a window of `m` voxels whose centre is nearest to input index
 * `centre` (ties: half away from zero, so a centre of (N − 1) / 2 gives the `center` anchor).
 */
export function centredOrigin(centre: number, m: number): number {
  return roundHalfAwayFromZero(centre - (m - 1) / 2);
}

/** The first input voxel (negative = padding) of a window of `m` voxels on `n` voxels. */
export function anchoredOrigin(n: number, m: number, anchor: Anchor): number {
  if (anchor === "start") return 0;
  if (anchor === "end") return n - m;
  return centredOrigin((n - 1) / 2, m);
}

/** What a window at `origin` of `size` does to `shape`: the input box kept and the padding. */
export function windowEffect(
  shape: readonly number[],
  origin: readonly number[],
  size: readonly number[],
): { crop: { start: number[]; stop: number[] }; pad: { before: number[]; after: number[] } } {
  const ax = [0, 1, 2];
  return {
    crop: {
      start: ax.map((a) => Math.min(shape[a], Math.max(0, origin[a]))),
      stop: ax.map((a) => Math.max(0, Math.min(shape[a], origin[a] + size[a]))),
    },
    pad: {
      before: ax.map((a) => Math.max(0, -origin[a])),
      after: ax.map((a) => Math.max(0, origin[a] + size[a] - shape[a])),
    },
  };
}

/** Whether `raw` can be stored exactly in `dtype`. */
function storable(raw: number, dtype: DType): boolean {
  const info = DTYPE_INFO[dtype];
  if (dtype === "float64") return true;
  if (dtype === "float32") return Math.fround(raw) === raw || Number.isNaN(raw);
  const whole = dtype === "int64" || dtype === "uint64"
    ? Number.isSafeInteger(raw)
    : Number.isInteger(raw);
  return whole && raw >= info.min && raw <= info.max;
}

/**
 * The `size` voxels of `volume` from voxel `origin` (see `windowVolume`), padding with the real
 * value `fill`. Values are copied bit for bit while `fill` is storable in the volume's type and
 * scaling; otherwise the real values are stored in a type that holds them and `fill` — floats
 * as `options.floats` says for images (`floatStorageOf`; float64 when absent), the smallest of
 * uint8/int16/int32 for labels (`retyped`). `unstorable`: the fill fits the stored type but not
 * `options.kind`, the type the values are of.
 * @throws RangeError when a label fill is not an integer or no label type holds it
 */
export function windowWithFill(
  volume: Volume,
  origin: readonly number[],
  size: readonly number[],
  fill: number,
  options: { label: boolean; floats?: FloatStorage; kind?: DType },
): { volume: Volume; retyped?: DType; unstorable?: boolean } {
  const pads = [0, 1, 2].some((a) => origin[a] < 0 || origin[a] + size[a] > volume.shape[a]);
  const raw = (fill - volume.inter) / volume.slope;
  if (!pads) return { volume: windowVolume(volume, origin, size) };
  const fits = (dtype: DType) => raw * volume.slope + volume.inter === fill && storable(raw, dtype);
  if (fits(volume.dtype)) {
    // Storable as stored, yet maybe not in the type the values are of (`kind`, e.g. the input's
    // int16 of a resampled float volume): then the fill made them fractional.
    const unstorable = options.kind !== undefined && !fits(options.kind);
    return {
      volume: windowVolume(volume, origin, size, raw),
      ...(unstorable ? { unstorable } : {}),
    };
  }
  const src = numericData(volume), { slope, inter } = volume;
  let target: DType;
  if (options.label) {
    if (!Number.isInteger(fill)) {
      throw new RangeError(`Cannot pad a label map with ${fill}: label values are integers`);
    }
    let lo = fill, hi = fill;
    for (let i = 0; i < src.length; i++) {
      const v = roundHalfAwayFromZero(src[i] * slope + inter);
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const t = labelTypeHolding(lo, hi);
    if (!t) {
      throw new RangeError(`Cannot pad a label map with ${fill}: no label type holds ${lo}..${hi}`);
    }
    target = t;
  } else target = floatTypeOf(options.floats ?? "float64");
  const keeping = !options.label && options.floats === "float32-keeping";
  const store = (v: number) => keeping ? float32Keeping(v) : v;
  // Never a 64-bit type: labels get uint8/int16/int32, images float32/float64.
  const real = createVoxelArray(target, src.length) as NumberArray;
  for (let i = 0; i < src.length; i++) {
    const v = src[i] * slope + inter;
    real[i] = options.label ? roundHalfAwayFromZero(v) : store(v);
  }
  const converted = createVolume({
    shape: volume.shape,
    frames: volume.frames,
    data: real,
    affine: volume.affine,
    meta: volume.meta,
  });
  const out = windowVolume(
    converted,
    origin,
    size,
    target === "float32" ? Math.fround(store(fill)) : fill,
  );
  return { volume: out, retyped: target };
}
