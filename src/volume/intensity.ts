import {
  createVoxelArray,
  DTYPE_INFO,
  float32Keeping,
  type FloatStorage,
  isIntegerDType,
} from "./dtype.ts";
import { createVolume, frameLength, type Volume } from "./volume.ts";
import { frameNumbers, frameRuns } from "./stats.ts";
import type { DeferredValues } from "./deferred.ts";

/** A closed interval; ±Infinity leaves that side open. */
export interface Bounds {
  lo: number;
  hi: number;
}

/**
 * A value map y = (v − sub) / div · mul + add on real values v, then clamped into
 * [lo, hi]; with `keepZero`, voxels whose value is exactly 0 stay 0. NaN stays NaN.
 */
export interface LinearMap {
  sub: number;
  div: number;
  mul: number;
  add: number;
  lo?: number;
  hi?: number;
  keepZero?: boolean;
  /**
   * Voxels outside a mask (`selection[i]` = 0) are not mapped: set to 0 (`zero`) or left at
   * their value (`keep`).
   */
  outside?: { selection: Uint8Array; mode: "zero" | "keep" };
}

/** A new volume and, per frame, how many voxels were clamped. */
export interface MapResult {
  volume: Volume;
  clamped: number[];
}

/**
 * Real-unit bounds as bounds on the stored values of `volume`, when clamping the stored
 * values gives exactly the clamped real values: any bound for float storage; for integer
 * storage a bound must map to an integer stored value whose real value is the bound, or lie
 * beyond the type's range (it then clamps nothing). Undefined when not representable.
 */
export function deriveStoredBounds(volume: Volume, bounds: Bounds): Bounds | undefined {
  const { slope, inter, dtype } = volume;
  if (slope === 0 || !Number.isFinite(slope)) return undefined;
  const a = (bounds.lo - inter) / slope, b = (bounds.hi - inter) / slope;
  const [lo, hi] = slope > 0 ? [a, b] : [b, a];
  if (!isIntegerDType(dtype)) return { lo, hi };
  const info = DTYPE_INFO[dtype];
  const side = (raw: number, real: number, isLow: boolean): number | undefined => {
    if (isLow ? raw <= info.min : raw >= info.max) return isLow ? -Infinity : Infinity;
    const r = Math.round(raw);
    if (r * slope + inter !== real || r < info.min || r > info.max) return undefined;
    return r;
  };
  const rl = side(lo, slope > 0 ? bounds.lo : bounds.hi, true);
  const rh = side(hi, slope > 0 ? bounds.hi : bounds.lo, false);
  return rl === undefined || rh === undefined ? undefined : { lo: rl, hi: rh };
}

/**
 * Clamps the stored values of each frame into `stored[frame]`, keeping dtype, slope and inter;
 * with `keepZero`, voxels whose real value is 0 are left as they are.
 */
export function clampStored(
  volume: Volume,
  stored: readonly Bounds[],
  options: { keepZero?: boolean } = {},
): MapResult {
  const keepZero = options.keepZero === true;
  const len = frameLength(volume);
  const out = createVoxelArray(volume.dtype, volume.data.length);
  const clamped: number[] = [];
  for (let t = 0; t < volume.frames; t++) {
    const { lo, hi } = stored[t];
    const src = frameNumbers(volume, t);
    let count = 0;
    if (out instanceof BigInt64Array || out instanceof BigUint64Array) {
      const data = volume.data as BigInt64Array | BigUint64Array;
      for (let i = 0; i < len; i++) {
        const v = src[i];
        if (keepZero && v * volume.slope + volume.inter === 0) {
          out[t * len + i] = data[t * len + i];
          continue;
        }
        if (v < lo || v > hi) count++;
        out[t * len + i] = v < lo ? BigInt(lo) : v > hi ? BigInt(hi) : data[t * len + i];
      }
    } else {
      const dst = out.subarray(t * len, (t + 1) * len);
      for (let i = 0; i < len; i++) {
        const v = src[i];
        if (keepZero && v * volume.slope + volume.inter === 0) dst[i] = v;
        else if (v < lo) {
          dst[i] = lo;
          count++;
        } else if (v > hi) {
          dst[i] = hi;
          count++;
        } else dst[i] = v;
      }
    }
    clamped.push(count);
  }
  return { volume: withData(volume, out, volume.slope, volume.inter), clamped };
}

/**
 * Applies `maps[frame]` to the real values of each frame (float64), stored as `storage` says
 * (`floatStorageOf`: float64, the nearest float32, or `float32Keeping` for an integer output).
 * With `inPlace` (a float volume whose voxels nothing reads afterwards: `StepContext.owns`)
 * the result overwrites them, each voxel read before it is written (issue 15, peak memory) —
 * a float32 result of float64 voxels in the first half of their bytes; the values are the same.
 */
export function mapToFloat(
  volume: Volume,
  maps: readonly LinearMap[],
  options: { storage: FloatStorage; inPlace?: boolean },
): MapResult {
  const f64 = options.storage === "float64", keeping = options.storage === "float32-keeping";
  const data = volume.data, n = data.length;
  const out: Float32Array | Float64Array = options.inPlace && data instanceof Float64Array
    ? (f64 ? data : new Float32Array(data.buffer, data.byteOffset, n))
    : options.inPlace && data instanceof Float32Array && !f64
    ? data
    : createVoxelArray(f64 ? "float64" : "float32", n) as Float32Array | Float64Array;
  const clamped = mapFrames(volume, undefined, maps, out, keeping);
  return { volume: withData(volume, out, 1, 0), clamped };
}

/**
 * `mapToFloat` of a volume whose values are deferred (`volume.data` empty; deferred.ts): the
 * same map of each value as it is computed, into a new float array — bit for bit `mapToFloat`
 * of the held volume.
 */
export function mapDeferredToFloat(
  volume: Volume,
  deferred: DeferredValues,
  maps: readonly LinearMap[],
  storage: FloatStorage,
): MapResult {
  const f64 = storage === "float64", keeping = storage === "float32-keeping";
  const out = createVoxelArray(f64 ? "float64" : "float32", deferred.length) as
    | Float32Array
    | Float64Array;
  const clamped = mapFrames(volume, deferred, maps, out, keeping);
  return { volume: withData(volume, out, 1, 0), clamped };
}

/**
 * `maps[frame]` of every frame's values (held, or `deferred`: `frameRuns`) into `out`; how
 * many voxels each frame clamped.
 */
function mapFrames(
  volume: Volume,
  deferred: DeferredValues | undefined,
  maps: readonly LinearMap[],
  out: Float32Array | Float64Array,
  keeping: boolean,
): number[] {
  const len = frameLength(volume);
  const clamped: number[] = [];
  for (let t = 0; t < volume.frames; t++) {
    let count = 0;
    frameRuns(volume, t, deferred)((values, at) => {
      count += mapRun(values, out, t * len + at, at, maps[t], volume, keeping);
    });
    clamped.push(count);
  }
  return clamped;
}

/**
 * Maps the stored values `src` (scaled by `scaling`) into `dst` from `dstAt` with `m`;
 * `selAt` is `src[0]`'s index within its frame (for `m.outside`). Returns how many clamped.
 */
function mapRun(
  src: ArrayLike<number>,
  dst: Float32Array | Float64Array,
  dstAt: number,
  selAt: number,
  m: LinearMap,
  scaling: { readonly slope: number; readonly inter: number },
  keeping: boolean,
): number {
  const { slope, inter } = scaling;
  const { sub, div, mul, add } = m;
  const lo = m.lo ?? -Infinity, hi = m.hi ?? Infinity, keepZero = m.keepZero === true;
  const sel = m.outside?.selection, keepOutside = m.outside?.mode === "keep";
  let count = 0;
  for (let i = 0; i < src.length; i++) {
    const v = src[i] * slope + inter;
    const o = dstAt + i;
    // Written even where it stays 0 (+0): dst may be the input itself.
    if (keepZero && v === 0) {
      dst[o] = 0;
      continue;
    }
    if (sel && sel[selAt + i] === 0) {
      dst[o] = keepOutside ? (keeping ? float32Keeping(v) : v) : 0;
      continue;
    }
    let y = ((v - sub) / div) * mul + add;
    if (y < lo) {
      y = lo;
      count++;
    } else if (y > hi) {
      y = hi;
      count++;
    }
    dst[o] = keeping ? float32Keeping(y) : y;
  }
  return count;
}

/** The identity map clamped into `bounds` (clip to float32). */
export function clampMap(bounds: Bounds): LinearMap {
  return { sub: 0, div: 1, mul: 1, add: 0, lo: bounds.lo, hi: bounds.hi };
}

/** A copy of `volume`'s grid and header with new stored data and scaling. */
export function withData(
  volume: Volume,
  data: Volume["data"],
  slope: number,
  inter: number,
): Volume {
  return createVolume({
    shape: volume.shape,
    frames: volume.frames,
    data,
    affine: volume.affine,
    slope,
    inter,
    meta: volume.meta,
  });
}
