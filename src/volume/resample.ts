/**
 * Resampling of a volume onto a grid from `deriveResampleGrid` (SPEC §3), done
 * as separable 1-D passes: x and y inside each input plane, then z across
 * planes. B-spline prefiltering and anti-aliasing are per-axis line operators,
 * so they run inside their axis's pass. Values are interpolated in storage
 * units (the result keeps the input's slope/inter) and never rounded: SPEC §2, values
 * between steps are real numbers, only `save` rounds.
 *
 * Storage of the result: nearest-neighbour (and identity) keeps the input's type, exact —
 * no later step can tell it from a float copy — unless the fill is not representable in it.
 * Linear and B-spline results are float, stored as the bound plan says (`options.floats`,
 * `floatStorageOf`, SPEC §2): float64 (the float pipeline's values) unless only the sink sees
 * them; then float32, which halves the memory — the nearest float32 for a float output (what
 * numpy's `astype(float32)` gives), or `float32Keeping` for an integer output: within 1 ulp of
 * the float64 result and on its side of every integer and half, so `save` rounds it (nearest
 * or truncate) exactly as it would round the float64 value. The passes always run in float64
 * (float32 arithmetic would round between passes).
 *
 * Right before a `save` that stores the input's integer type (`directSaveType`), the float
 * result is never materialised: `resampleForSave` rounds each value as the float path stores
 * it, with save's rounding and clamping, into that type (half the memory of float32 for
 * int16, a quarter for uint8) — bit for bit what `save` makes of the float result.
 */
import {
  createVoxelArray,
  type DType,
  DTYPE_INFO,
  dtypeOf,
  encodeValue,
  type FloatStorage,
  floatTypeOf,
  type NumberArray,
  type Rounding,
  type VoxelArray,
} from "./dtype.ts";
import { numericData, type Volume } from "./volume.ts";
import type { ResampleGrid } from "./grid.ts";
import {
  antialiasSigma,
  type AxisTaps,
  deriveAxisTaps,
  type Interpolation,
} from "./interpolate.ts";
import { gaussianKernel } from "./gaussian.ts";
import { borrowFloats, type FloatArray, releaseFloats } from "./scratch.ts";
import { type AxisOp, SeparablePass } from "./separable_pass.ts";
import {
  inputBytesOf,
  stackedOutputInInput,
  stackInInput,
  streamedOutputInInput,
} from "./resample_reuse.ts";
import { emitPlane, emitPlaneRounded, gatherNearest, type RoundedOut } from "./resample_emit.ts";
import type { DeferredValues } from "./deferred.ts";

/** How to sample: the interpolator, anti-aliasing and the fill value (real units). */
export interface ResampleOptions {
  readonly interpolation: Interpolation;
  readonly antialias: boolean;
  readonly fill: number;
  /**
   * The caller never reads the input's voxels again (the runner grants it for a volume only
   * the current subject holds): the result and the z stack may be written into the input's
   * bytes once they are read (resample_reuse.ts). The values are the same either way.
   */
  readonly consumeInput?: boolean;
  /** How linear / B-spline results are stored (`floatStorageOf`); absent: float64. */
  readonly floats?: FloatStorage;
}

/**
 * Resamples every frame of `volume` onto `grid`; the result keeps slope and inter, and the
 * dtype for nearest-neighbour sampling (float otherwise: see the file comment).
 */
export function resampleVolume(
  volume: Volume,
  grid: ResampleGrid,
  options: ResampleOptions,
): Volume {
  return resample(volume, grid, options).volume;
}

/** A resampling rounded for `save` (`resampleForSave`), with what rounding it clamped. */
export interface RoundedResample {
  readonly volume: Volume;
  readonly clamped: number;
  readonly nan: number;
  /** The float type `resampleVolume` would have returned. */
  readonly between: DType;
}

/**
 * `resampleVolume` rounded and clamped into the integer `store.dtype` (≤ 32-bit) with the
 * sink's rounding, bit for bit what `save` makes of `resampleVolume`'s float result, without
 * materialising it. Undefined when the result would not be float (nearest-neighbour: kept in
 * its type anyway) — then call `resampleVolume`.
 */
export function resampleForSave(
  volume: Volume,
  grid: ResampleGrid,
  options: ResampleOptions,
  store: { dtype: DType; rounding: Rounding },
): RoundedResample | undefined {
  const r = resample(volume, grid, options, store);
  return r.rounded ? { volume: r.volume, ...r.rounded } : undefined;
}

function resample(
  volume: Volume,
  grid: ResampleGrid,
  options: ResampleOptions,
  store?: { dtype: DType; rounding: Rounding },
): { volume: Volume; rounded?: { clamped: number; nan: number; between: DType } } {
  const ops = axisOps(grid, options);
  const [mx, my, mz] = grid.shape;
  const n = mx * my * mz * volume.frames;
  const fillRaw = (options.fill - volume.inter) / volume.slope;
  const storage = options.floats ?? "float64";
  const float = floatTypeOf(storage);
  const result = (v: Volume["data"]): Volume => ({
    ...volume,
    shape: grid.shape,
    affine: grid.affine,
    dtype: dtypeOf(v),
    data: v,
  });
  const taps = ops.map((op) => op.taps) as [AxisTaps, AxisTaps, AxisTaps];
  if (nearestOnly(ops)) {
    // Nearest (or identity): input values only, kept in their type when the fill fits it.
    const fits = encodeValue(fillRaw, volume.dtype) === fillRaw;
    const out = createVoxelArray(fits ? volume.dtype : float, n);
    if (fits && ops.every((op) => op.skip)) (out as Float64Array).set(volume.data as Float64Array);
    else gatherNearest(volume, taps, out, fillRaw);
    return { volume: result(out) };
  }
  const src = numericData(volume);
  const sep = new SeparablePass(volume.shape, grid.shape, ops, true);
  // Rounded for save: an integer output, the float path's values rounded as stored.
  const outDType = store ? store.dtype : float;
  const reuse = options.consumeInput ? reuseInput(src, volume, sep, taps, n, outDType) : {};
  // Every voxel of every output plane is written below (fill outside the field of view).
  const outData = reuse.out ?? createVoxelArray(outDType, n);
  const rounded: RoundedOut | undefined = store && {
    out: outData as NumberArray,
    min: DTYPE_INFO[store.dtype].min,
    max: DTYPE_INFO[store.dtype].max,
    rounding: store.rounding,
    f32: float === "float32",
    clamped: 0,
    nan: 0,
  };
  const out = (rounded ? new Float64Array(0) : outData) as Float32Array | Float64Array;
  const zPlane = borrowFloats(true, mx * my);
  const keeping = storage === "float32-keeping";
  for (let f = 0; f < volume.frames; f++) {
    sep.frame(
      src,
      f,
      (plane, k, blend) => {
        const at = (f * mz + k) * mx * my;
        if (rounded) emitPlaneRounded(plane, rounded, at, taps, k, fillRaw, blend);
        else emitPlane(plane, out, at, taps, k, fillRaw, blend, keeping);
      },
      zPlane,
      reuse.stack,
    );
  }
  releaseFloats(zPlane);
  sep.release();
  if (!rounded) return { volume: result(out) };
  const { clamped, nan } = rounded;
  return { volume: result(rounded.out), rounded: { clamped, nan, between: float } };
}

/** Each axis's pass: taps, anti-aliasing kernel, B-spline prefilter, or none (identity). */
function axisOps(grid: ResampleGrid, options: ResampleOptions): [AxisOp, AxisOp, AxisOp] {
  const { interpolation } = options;
  return grid.axes.map((axis): AxisOp => {
    const kernel = options.antialias ? gaussianKernel(antialiasSigma(axis.r)) : null;
    const skip = axis.identity && !kernel;
    const taps = deriveAxisTaps(axis, skip ? "nearest" : interpolation);
    return { taps, kernel, prefilter: interpolation === "bspline" && !skip, skip };
  }) as [AxisOp, AxisOp, AxisOp];
}

/** Every axis reads one input voxel and none smooths: nearest (or identity), input values only. */
function nearestOnly(ops: readonly AxisOp[]): boolean {
  return ops.every((op) => op.taps.taps === 1 && !op.kernel);
}

/**
 * `resampleVolume`'s float result deferred (deferred.ts): the returned volume's `data` is
 * empty and `deferred` computes its values again on every read, plane by plane, bit for bit
 * the values `resampleVolume` stores (the same passes and `emitPlane`). The input is read on
 * every pass, never consumed. Undefined — then call `resampleVolume` — when the result would
 * not be float (nearest-neighbour), when the z pass needs the whole in-plane stack (B-spline
 * prefilter, anti-aliasing: computing it per read would cost the memory deferring saves), or
 * when holding it costs no memory of its own: `consumeInput` and the result fits in the
 * input's bytes (`reuseInput`, e.g. a downsampling), where deferring would only add the next
 * step's result.
 */
export function resampleDeferred(
  volume: Volume,
  grid: ResampleGrid,
  options: ResampleOptions,
): { volume: Volume; deferred: DeferredValues } | undefined {
  const ops = axisOps(grid, options);
  if (nearestOnly(ops)) return undefined;
  if (ops[2].kernel || ops[2].prefilter) return undefined;
  const storage = options.floats ?? "float64";
  const dtype = floatTypeOf(storage), keeping = storage === "float32-keeping";
  const taps = ops.map((op) => op.taps) as [AxisTaps, AxisTaps, AxisTaps];
  const [mx, my, mz] = grid.shape;
  const fillRaw = (options.fill - volume.inter) / volume.slope;
  const src = numericData(volume);
  const length = mx * my * mz * volume.frames;
  if (options.consumeInput) {
    const sep = new SeparablePass(volume.shape, grid.shape, ops, true);
    const held = reuseInput(src, volume, sep, taps, length, dtype).out;
    sep.release();
    if (held) return undefined;
  }
  const deferred: DeferredValues = {
    dtype,
    length,
    frames: volume.frames,
    sources: [src.buffer],
    each(f, visit) {
      const sep = new SeparablePass(volume.shape, grid.shape, ops, true);
      const zPlane = borrowFloats(true, mx * my);
      const values = borrowFloats(dtype === "float64", mx * my);
      try {
        sep.frame(src, f, (plane, k, blend) => {
          emitPlane(plane, values, 0, taps, k, fillRaw, blend, keeping);
          visit(values, (f * mz + k) * mx * my);
        }, zPlane);
      } finally {
        releaseFloats(values);
        releaseFloats(zPlane);
        sep.release();
      }
    },
  };
  const data = createVoxelArray(dtype, 0);
  return {
    volume: { ...volume, shape: grid.shape, affine: grid.affine, dtype, data },
    deferred,
  };
}

/**
 * Where a consumed input's bytes take the z stack and the result (`consumeInput`): the stack
 * first (a stacked z pass), the result after it (one frame) or, streamed, from the start.
 */
function reuseInput(
  src: NumberArray,
  volume: Volume,
  sep: SeparablePass,
  taps: readonly [AxisTaps, AxisTaps, AxisTaps],
  n: number,
  outDType: DType,
): { stack?: FloatArray; out?: VoxelArray } {
  const [nx, ny, nz] = volume.shape;
  const input = inputBytesOf(src, nx * ny, nz, volume.frames);
  if (!input) return {};
  const outPlane = taps[0].m * taps[1].m;
  if (!sep.stacked) {
    return { out: streamedOutputInInput(input, outDType, outPlane, sep.readsAfter()) };
  }
  const stack = stackInInput(input, true, outPlane);
  return stack ? { stack, out: stackedOutputInInput(input, stack, outDType, n) } : {};
}
