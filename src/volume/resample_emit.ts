/**
 * The last step of a resampling: writing float planes into the output (fill outside the
 * field of view), and the exact nearest-neighbour gather in any storage type. Values are
 * never rounded here (SPEC §2: only `save` rounds); a float32 output keeps every value on
 * the side of the rounding boundaries its float64 value is on (`float32Keeping`).
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
 * Writes output plane k (mx × my floats, storage units) at `outOff` of `out`;
 * with `blend`, the plane written is `a + (b − a) · wb` (the last linear pass fused into
 * the write; the lerp form is exact where a = b, as ITK's).
 */
export function emitPlane(
  plane: FloatArray,
  out: FloatArray,
  outOff: number,
  taps: readonly [AxisTaps, AxisTaps, AxisTaps],
  k: number,
  fill: number,
  blend?: { plane: FloatArray; wb: number },
): void {
  const mx = taps[0].m, my = taps[1].m;
  const vx = taps[0].valid, vy = taps[1].valid;
  const planeValid = taps[2].valid[k] === 1;
  // A float32 output of float64 values: stored without crossing a rounding boundary.
  const keep = out instanceof Float32Array &&
    (blend !== undefined || plane instanceof Float64Array);
  const b = blend?.plane ?? plane, wb = blend?.wb ?? 0;
  for (let j = 0, p = 0; j < my; j++) {
    const at = outOff + j * mx;
    if (!(planeValid && vy[j] === 1)) {
      out.fill(fill, at, at + mx);
      p += mx;
      continue;
    }
    // One loop per case, so the inner loops carry no per-voxel mode tests.
    if (keep) {
      for (let i = 0; i < mx; i++, p++) {
        const a = plane[p];
        out[at + i] = vx[i] === 1 ? float32Keeping(a + (b[p] - a) * wb) : fill;
      }
    } else if (blend) {
      for (let i = 0; i < mx; i++, p++) {
        const a = plane[p];
        out[at + i] = vx[i] === 1 ? a + (b[p] - a) * wb : fill;
      }
    } else {
      for (let i = 0; i < mx; i++, p++) out[at + i] = vx[i] === 1 ? plane[p] : fill;
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

/**
 * `emitPlane` into an integer output with the sink's rounding: each value is first made what
 * the float path stores (`float32Keeping` / float32 / float64, as `emitPlane` would), then
 * rounded and clamped as `save` would (`roundAndClamp`), counting clamped and NaN voxels.
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
  let clamped = 0, nan = 0, fills = 0;
  for (let j = 0, p = 0; j < my; j++) {
    const at = outOff + j * mx;
    if (!(planeValid && vy[j] === 1)) {
      out.fill(fillRounded, at, at + mx);
      fills += mx;
      p += mx;
      continue;
    }
    for (let i = 0; i < mx; i++, p++) {
      if (vx[i] !== 1) {
        out[at + i] = fillRounded;
        fills++;
        continue;
      }
      const a = plane[p];
      const x = blend ? a + (b[p] - a) * wb : a;
      const v = keep ? float32Keeping(x) : f32 ? Math.fround(x) : x;
      const r0 = roundAndClamp(v, -Infinity, Infinity, rounding);
      const r = r0 < min ? min : r0 > max ? max : r0;
      if (v !== v) nan++;
      else if (r !== r0) clamped++;
      out[at + i] = r;
    }
  }
  to.clamped += clamped + (fillClamped ? fills : 0);
  to.nan += nan + (fillNan ? fills : 0);
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
