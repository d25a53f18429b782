/**
 * The last step of a resampling: writing float planes into the output (fill outside the
 * field of view), and the exact nearest-neighbour gather in any storage type. Values are
 * never rounded here (SPEC §2: only `save` rounds); a float32 output holds the nearest float32
 * or, when only an integer output sees it (`float32-keeping` storage), the float32 on the side
 * of the rounding boundaries its float64 value is on (`float32Keeping`).
 */
import {
  float32Keeping,
  type NumberArray,
  roundAndClamp,
  type Rounding,
  type VoxelArray,
} from "./dtype.ts";
import type { AxisTaps } from "./interpolate.ts";
import type { FloatArray } from "./scratch.ts";
import type { Volume } from "./volume.ts";

/**
 * The output columns [i0, i1) inside the field of view when they are one run (they are for
 * every monotone grid), else undefined (then every column is tested).
 */
function validSpan(valid: Uint8Array): readonly [number, number] | undefined {
  const i0 = valid.indexOf(1);
  if (i0 < 0) return [0, 0];
  const i1 = valid.lastIndexOf(1) + 1;
  for (let i = i0; i < i1; i++) if (valid[i] !== 1) return undefined;
  return [i0, i1];
}

/**
 * Writes output plane k (mx × my floats, storage units) at `outOff` of `out`;
 * with `blend`, the plane written is `a + (b − a) · wb` (the last linear pass fused into
 * the write; the lerp form is exact where a = b, as ITK's). `keeping`: a float32 `out` holds
 * `float32Keeping` of each value (`float32-keeping` storage).
 */
export function emitPlane(
  plane: FloatArray,
  out: FloatArray,
  outOff: number,
  taps: readonly [AxisTaps, AxisTaps, AxisTaps],
  k: number,
  fill: number,
  blend?: { plane: FloatArray; wb: number },
  keeping = false,
): void {
  const mx = taps[0].m, my = taps[1].m;
  const vx = taps[0].valid, vy = taps[1].valid;
  const planeValid = taps[2].valid[k] === 1;
  // A float32 output of float64 values for an integer output: stored without crossing a
  // rounding boundary (else the nearest float32, as the typed array stores it).
  const keep = keeping && out instanceof Float32Array &&
    (blend !== undefined || plane instanceof Float64Array);
  const b = blend?.plane ?? plane, wb = blend?.wb ?? 0;
  const span = validSpan(vx);
  for (let j = 0, p = 0; j < my; j++, p += mx) {
    const at = outOff + j * mx;
    if (!(planeValid && vy[j] === 1)) {
      out.fill(fill, at, at + mx);
      continue;
    }
    if (!span) {
      for (let i = 0; i < mx; i++) {
        const a = plane[p + i], v = blend ? a + (b[p + i] - a) * wb : a;
        out[at + i] = vx[i] !== 1 ? fill : keep ? float32Keeping(v) : v;
      }
      continue;
    }
    const [i0, i1] = span;
    out.fill(fill, at, at + i0);
    out.fill(fill, at + i1, at + mx);
    // One loop per case, so the inner loops carry no per-voxel mode tests.
    const d = at - p;
    if (keep && blend) {
      for (let q = p + i0; q < p + i1; q++) {
        const a = plane[q];
        out[d + q] = float32Keeping(a + (b[q] - a) * wb);
      }
    } else if (keep) {
      for (let q = p + i0; q < p + i1; q++) out[d + q] = float32Keeping(plane[q]);
    } else if (blend) {
      for (let q = p + i0; q < p + i1; q++) {
        const a = plane[q];
        out[d + q] = a + (b[q] - a) * wb;
      }
    } else {
      for (let q = p + i0; q < p + i1; q++) out[d + q] = plane[q];
    }
  }
}

/** Integer output of `emitPlaneRounded`: its range, the sink's rounding and the counts. */
export interface RoundedOut {
  readonly out: NumberArray;
  readonly min: number;
  readonly max: number;
  readonly rounding: Rounding;
  /** The float type the float path stores (its values are rounded as stored there). */
  readonly f32: boolean;
  clamped: number;
  nan: number;
}

/** Float32 has halves below 2^22: there `float32Keeping` rounds exactly as its argument. */
const KEEPING_EXACT = 4194304;

/**
 * `emitPlane` into an integer output with the sink's rounding: each value rounded and clamped
 * as `save` rounds what the float path stores (`roundAndClamp` of `float32Keeping` / float32 /
 * float64, as `emitPlane` would store it), counting clamped and NaN voxels.
 *
 * Inside ±2^22 the stored float rounds exactly as the float64 value (`float32Keeping` keeps
 * its side of every integer and half; a float32 plane without blend is stored as is), so the
 * value is rounded straight from float64; an output range reaching beyond (int32 from a
 * float32 path) rounds the stored float as `emitPlane` makes it.
 */
export function emitPlaneRounded(
  plane: FloatArray,
  to: RoundedOut,
  outOff: number,
  taps: readonly [AxisTaps, AxisTaps, AxisTaps],
  k: number,
  fill: number,
  blend?: { plane: FloatArray; wb: number },
): void {
  const { out, min, max, rounding, f32 } = to;
  const mx = taps[0].m, my = taps[1].m;
  const vx = taps[0].valid, vy = taps[1].valid;
  const planeValid = taps[2].valid[k] === 1;
  const keep = f32 && (blend !== undefined || plane instanceof Float64Array);
  const b = blend?.plane ?? plane, wb = blend?.wb ?? 0;
  // The fill as the float path stores it (TypedArray.fill converts), then rounded.
  const fillStored = f32 ? Math.fround(fill) : fill;
  const fillRounded = roundAndClamp(fillStored, min, max, rounding);
  const fillClamped = fillStored === fillStored &&
    roundAndClamp(fillStored, -Infinity, Infinity, rounding) !== fillRounded;
  const fillNan = fillStored !== fillStored;
  const exact = !f32 || (-KEEPING_EXACT < min && max < KEEPING_EXACT);
  const span = exact ? validSpan(vx) : undefined;
  const counts = { clamped: 0, nan: 0 };
  let fills = 0;
  for (let j = 0, p = 0; j < my; j++, p += mx) {
    const at = outOff + j * mx;
    if (!(planeValid && vy[j] === 1)) {
      out.fill(fillRounded, at, at + mx);
      fills += mx;
      continue;
    }
    if (span) {
      const [i0, i1] = span;
      out.fill(fillRounded, at, at + i0);
      out.fill(fillRounded, at + i1, at + mx);
      fills += mx - (i1 - i0);
      const row = {
        plane,
        b,
        wb,
        lerp: blend !== undefined,
        out,
        d: at - p,
        from: p + i0,
        to: p + i1,
        min,
        max,
      };
      if (rounding === "truncate") storeTruncated(row, counts);
      else storeNearest(row, counts);
      continue;
    }
    for (let i = 0; i < mx; i++) {
      if (vx[i] !== 1) {
        out[at + i] = fillRounded;
        fills++;
        continue;
      }
      const a = plane[p + i];
      const x = blend ? a + (b[p + i] - a) * wb : a;
      const v = keep ? float32Keeping(x) : f32 ? Math.fround(x) : x;
      const r0 = roundAndClamp(v, -Infinity, Infinity, rounding);
      const r = r0 < min ? min : r0 > max ? max : r0;
      if (v !== v) counts.nan++;
      else if (r !== r0) counts.clamped++;
      out[at + i] = r;
    }
  }
  to.clamped += counts.clamped + (fillClamped ? fills : 0);
  to.nan += counts.nan + (fillNan ? fills : 0);
}

/** One run of a row for the rounded stores: values `a + (b − a) · wb` at q ∈ [from, to). */
interface RoundedRow {
  readonly plane: FloatArray;
  readonly b: FloatArray;
  readonly wb: number;
  /** Whether there is a blend (else the value is `a`: a lerp with wb = 0 makes ±∞ NaN). */
  readonly lerp: boolean;
  readonly out: NumberArray;
  /** out index minus plane index. */
  readonly d: number;
  readonly from: number;
  readonly to: number;
  readonly min: number;
  readonly max: number;
}

/** The run rounded half away from zero (as `roundHalfAwayFromZero`), clamped; NaN → 0. */
function storeNearest(r: RoundedRow, counts: { clamped: number; nan: number }): void {
  const { plane, b, wb, lerp, out, d, min, max } = r;
  let clamped = 0, nan = 0;
  for (let q = r.from; q < r.to; q++) {
    const a = plane[q], x = lerp ? a + (b[q] - a) * wb : a;
    // Half away from zero without data-dependent branches: x − t and 2(x − t) are exact.
    const t = Math.trunc(x);
    let v = t + Math.trunc(2 * (x - t));
    if (v < min) {
      v = min;
      clamped++;
    } else if (v > max) {
      v = max;
      clamped++;
    } else if (v !== v) {
      // NaN, or ±∞ (whose x − t is NaN): clamped as roundAndClamp does.
      if (x !== x) {
        v = 0;
        nan++;
      } else {
        v = x > 0 ? max : min;
        clamped++;
      }
    }
    out[d + q] = v;
  }
  counts.clamped += clamped;
  counts.nan += nan;
}

/** The run truncated toward zero and clamped; NaN → 0. */
function storeTruncated(r: RoundedRow, counts: { clamped: number; nan: number }): void {
  const { plane, b, wb, lerp, out, d, min, max } = r;
  let clamped = 0, nan = 0;
  for (let q = r.from; q < r.to; q++) {
    const a = plane[q];
    let v = Math.trunc(lerp ? a + (b[q] - a) * wb : a);
    if (v < min) {
      v = min;
      clamped++;
    } else if (v > max) {
      v = max;
      clamped++;
    } else if (v !== v) {
      v = 0;
      nan++;
    }
    out[d + q] = v;
  }
  counts.clamped += clamped;
  counts.nan += nan;
}

/** Nearest-neighbour resampling of every frame by index tables, exact in any dtype. */
export function gatherNearest(
  volume: Volume,
  taps: readonly [AxisTaps, AxisTaps, AxisTaps],
  out: VoxelArray,
  fillRaw: number,
): void {
  const [nx, ny, nz] = volume.shape;
  const [tx, ty, tz] = taps;
  const src = volume.data as unknown as { [i: number]: number };
  const dst = out as unknown as { [i: number]: number };
  const bigint = out instanceof BigInt64Array || out instanceof BigUint64Array;
  const fromBig = !bigint &&
    (volume.data instanceof BigInt64Array || volume.data instanceof BigUint64Array);
  const fill = (bigint ? BigInt(fillRaw) : fillRaw) as number;
  let o = 0;
  for (let f = 0; f < volume.frames; f++) {
    const base = f * nx * ny * nz;
    for (let k = 0; k < tz.m; k++) {
      const zOk = tz.valid[k] === 1, zOff = base + tz.idx[k] * nx * ny;
      for (let j = 0; j < ty.m; j++) {
        const rowOk = zOk && ty.valid[j] === 1, rowOff = zOff + ty.idx[j] * nx;
        for (let i = 0; i < tx.m; i++) {
          const v = rowOk && tx.valid[i] === 1 ? src[rowOff + tx.idx[i]] : fill;
          dst[o++] = fromBig ? Number(v) : v;
        }
      }
    }
  }
}
