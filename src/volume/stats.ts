import { DTYPE_INFO, isIntegerDType, type NumberArray } from "./dtype.ts";
import { frameLength, type Volume } from "./volume.ts";
import { histogramOrderSource, type OrderSource, radixOrderSource } from "./order.ts";
import { NumpySum } from "./numpy_sum.ts";
import type { DeferredValues } from "./deferred.ts";

/**
 * `Math.min(...values)` for any length: spreading an array into arguments throws RangeError
 * beyond ~125,000 values (one per subject of a large data set). NaN in → NaN; empty → Infinity.
 */
export function minOf(values: readonly number[]): number {
  let m = Infinity;
  for (const v of values) m = Math.min(m, v);
  return m;
}

/** `Math.max(...values)` for any length (see minOf). NaN in → NaN; empty → -Infinity. */
export function maxOf(values: readonly number[]): number {
  let m = -Infinity;
  for (const v of values) m = Math.max(m, v);
  return m;
}

/** Voxels statistics are computed over: every voxel, or those whose real value is ≠ 0. */
export type VoxelMask = "all" | "nonzero";

/** Statistics of the real values of one 3D frame (NaN voxels ignored). */
export interface FrameStats {
  /** Number of voxels counted (in the mask and not NaN). */
  n: number;
  /** NaN when `n` is 0. */
  min: number;
  max: number;
  mean: number;
  /** Population standard deviation (ddof 0). */
  std: number;
}

/** The stored values of one frame as plain numbers (a view, or a copy for 64-bit integers). */
export function frameNumbers(volume: Volume, frame: number): NumberArray {
  const len = frameLength(volume);
  const d = volume.data;
  if (d instanceof BigInt64Array || d instanceof BigUint64Array) {
    const out = new Float64Array(len);
    for (let i = 0; i < len; i++) out[i] = Number(d[frame * len + i]);
    return out;
  }
  return d.subarray(frame * len, (frame + 1) * len);
}

/** The real values (raw × slope + inter) of one frame, as a float64 copy. */
export function realValues(volume: Volume, frame: number): Float64Array {
  const src = frameNumbers(volume, frame);
  const { slope, inter } = volume;
  const out = new Float64Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = src[i] * slope + inter;
  return out;
}

/**
 * One frame's stored values, run by run in voxel order: calls `visit(values, at)` for
 * consecutive runs (`at`: the index of `values[0]` within the frame). May be called again (each
 * call gives the same values).
 */
export type FrameRuns = (visit: (values: ArrayLike<number>, at: number) => void) => void;

/**
 * Frame `frame` of `volume` as runs: its stored values in one run, or, for a volume whose
 * values are deferred (`Item.deferred`, `volume.data` empty), the runs `deferred.each` computes.
 */
export function frameRuns(volume: Volume, frame: number, deferred?: DeferredValues): FrameRuns {
  if (deferred) {
    const base = frame * frameLength(volume);
    return (visit) => deferred.each(frame, (values, at) => visit(values, at - base));
  }
  const src = frameNumbers(volume, frame);
  return (visit) => visit(src, 0);
}

/**
 * Count, min, max, mean and population std (float64, two passes, numpy's summation order) of one
 * frame's real values.
 */
export function deriveFrameStats(
  volume: Volume,
  frame: number,
  mask: VoxelMask = "all",
): FrameStats {
  return deriveRunStats(frameRuns(volume, frame), volume, mask);
}

/**
 * `deriveFrameStats` of a frame given as runs (`FrameRuns`, read twice) with the volume's
 * scaling, over the voxels `selection` marks 1 (a mask role's, per voxel of the frame) when
 * given: the statistics of `selectVoxels`' volume, in the same order, bit for bit.
 */
export function deriveRunStats(
  runs: FrameRuns,
  scaling: { readonly slope: number; readonly inter: number },
  mask: VoxelMask = "all",
  selection?: Uint8Array,
): FrameStats {
  const { slope, inter } = scaling;
  const nonzero = mask === "nonzero";
  // Summed in numpy's order (numpy_sum.ts): mean and std equal np.mean / np.std bit for bit.
  const sum = new NumpySum();
  let n = 0, min = Infinity, max = -Infinity;
  runs((src, at) => {
    for (let i = 0; i < src.length; i++) {
      if (selection && selection[at + i] === 0) continue;
      const v = src[i] * slope + inter;
      if (v !== v || (nonzero && v === 0)) continue;
      n++;
      sum.add(v);
      if (v < min) min = v;
      if (v > max) max = v;
    }
  });
  if (n === 0) return { n, min: NaN, max: NaN, mean: NaN, std: NaN };
  const mean = sum.total() / n;
  const ss = new NumpySum();
  runs((src, at) => {
    for (let i = 0; i < src.length; i++) {
      if (selection && selection[at + i] === 0) continue;
      const v = src[i] * slope + inter;
      if (v !== v || (nonzero && v === 0)) continue;
      ss.add((v - mean) * (v - mean));
    }
  });
  return { n, min, max, mean, std: Math.sqrt(ss.total() / n) };
}

/** Largest histogram (bins) used for integer storage before switching to radix selection. */
const MAX_HISTOGRAM_BINS = 1 << 22;

/**
 * Percentiles (0–100) of one frame's real values with numpy's default 'linear' method
 * (`np.nanpercentile` over the mask); NaN for every percentile when no voxel counts.
 * Narrow integer storage uses a histogram of stored values, other storage radix selection.
 */
export function derivePercentiles(
  volume: Volume,
  frame: number,
  percents: readonly number[],
  mask: VoxelMask = "all",
): number[] {
  const src = frameNumbers(volume, frame);
  const { slope, inter } = volume;
  const raw = orderSource(src, volume, mask);
  const n = raw.count;
  if (n === 0) return percents.map(() => NaN);
  // Virtual indexes exactly as numpy: (n − 1) · (q / 100), neighbours floor and floor + 1.
  const plans = percents.map((p) => {
    const virtual = (n - 1) * (p / 100);
    const prev = virtual >= n - 1 ? n - 1 : Math.max(0, Math.floor(virtual));
    const next = virtual >= n - 1 ? n - 1 : Math.max(0, prev + 1);
    return { prev, next, gamma: virtual - Math.floor(virtual) };
  });
  // Real order statistic k is raw order statistic k (slope ≥ 0) or n − 1 − k (slope < 0).
  const toRaw = (k: number) => (slope < 0 ? n - 1 - k : k);
  const ks = [...new Set(plans.flatMap((p) => [toRaw(p.prev), toRaw(p.next)]))];
  const found = new Map<number, number>();
  raw.orderStatistics(ks).forEach((value, i) => found.set(ks[i], value * slope + inter));
  return plans.map(({ prev, next, gamma }) => {
    const a = found.get(toRaw(prev))!, b = found.get(toRaw(next))!;
    if (prev === next) return a;
    const diff = b - a;
    return gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma;
  });
}

function orderSource(src: NumberArray, volume: Volume, mask: VoxelMask): OrderSource {
  const options = { slope: volume.slope, inter: volume.inter, nonzero: mask === "nonzero" };
  if (!isIntegerDType(volume.dtype) || src instanceof Float64Array) {
    return radixOrderSource(src, options);
  }
  const info = DTYPE_INFO[volume.dtype];
  if (info.max - info.min + 1 <= MAX_HISTOGRAM_BINS) {
    return histogramOrderSource(src, info.min, info.max, options);
  }
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < src.length; i++) {
    if (src[i] < lo) lo = src[i];
    if (src[i] > hi) hi = src[i];
  }
  return hi - lo + 1 <= MAX_HISTOGRAM_BINS
    ? histogramOrderSource(src, lo, hi, options)
    : radixOrderSource(src, options);
}

/**
 * Which voxels of one frame another volume (a mask role: brain mask, label map) selects: 1 where
 * its real value is nonzero and not NaN. A one-frame mask selects in every frame; a mask with as
 * many frames as `frames` selects frame by frame.
 * @throws RangeError when the mask has another number of frames
 */
export function maskSelection(mask: Volume, frame: number, frames: number): Uint8Array {
  if (mask.frames !== 1 && mask.frames !== frames) {
    throw new RangeError(
      `Cannot use a mask of ${mask.frames} frames for a volume of ${frames}: give a 3D mask or one frame per frame`,
    );
  }
  const src = frameNumbers(mask, mask.frames === 1 ? 0 : frame);
  const { slope, inter } = mask;
  const out = new Uint8Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const v = src[i] * slope + inter;
    out[i] = v !== 0 && v === v ? 1 : 0;
  }
  return out;
}

/**
 * The stored values of one frame of `volume` where `selection` is 1, as a one-line volume of the
 * same type and scaling: the statistics of the selected voxels are those of this volume
 * (`deriveFrameStats`, `derivePercentiles` with mask "all").
 */
export function selectVoxels(volume: Volume, frame: number, selection: Uint8Array): Volume {
  const len = frameLength(volume);
  let n = 0;
  for (let i = 0; i < len; i++) n += selection[i];
  const data = volume.data;
  const out = new (data.constructor as new (n: number) => typeof data)(n);
  const base = frame * len;
  let o = 0;
  for (let i = 0; i < len; i++) if (selection[i]) out[o++] = data[base + i];
  return { ...volume, shape: [n, 1, 1], frames: 1, data: out };
}
