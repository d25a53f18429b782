/**
 * The last step of a resampling: writing float planes into the output storage
 * (rounded half away from zero and clamped for integer types, fill outside the
 * field of view), and the exact nearest-neighbour gather in storage type.
 */
import { DTYPE_INFO, dtypeOf, type VoxelArray } from "./dtype.ts";
import type { AxisTaps } from "./interpolate.ts";
import type { FloatArray } from "./scratch.ts";
import type { Volume } from "./volume.ts";

/**
 * Writes output plane k (mx × my floats, storage units) at `outOff` of `out`;
 * with `blend`, the plane written is `wa · plane + wb · blend.plane` (the last
 * linear pass fused into the write).
 */
export function emitPlane(
  plane: FloatArray,
  out: VoxelArray,
  outOff: number,
  taps: readonly [AxisTaps, AxisTaps, AxisTaps],
  k: number,
  fillRaw: number,
  blend?: { plane: FloatArray; wa: number; wb: number },
): void {
  if (blend) {
    if (!(out instanceof BigInt64Array || out instanceof BigUint64Array)) {
      return emitBlend(plane, blend, out, outOff, taps, k, fillRaw);
    }
    const mixed = new Float64Array(plane.length);
    for (let p = 0; p < plane.length; p++) {
      mixed[p] = blend.wa * plane[p] + blend.wb * blend.plane[p];
    }
    plane = mixed;
  }
  const mx = taps[0].m, my = taps[1].m;
  const vx = taps[0].valid, vy = taps[1].valid;
  const planeValid = taps[2].valid[k] === 1;
  const info = DTYPE_INFO[dtypeOf(out)];
  if (out instanceof BigInt64Array || out instanceof BigUint64Array) {
    for (let j = 0, p = 0; j < my; j++) {
      for (let i = 0; i < mx; i++, p++) {
        const ok = planeValid && vy[j] === 1 && vx[i] === 1;
        out[outOff + p] = BigInt(ok ? encodeInteger(plane[p], info.min, info.max) : fillRaw);
      }
    }
    return;
  }
  const o = out as Float64Array;
  if (info.integer) {
    const lo = info.min, hi = info.max;
    for (let j = 0, p = 0; j < my; j++) {
      const rowOk = planeValid && vy[j] === 1;
      for (let i = 0; i < mx; i++, p++) {
        if (rowOk && vx[i] === 1) {
          const v = plane[p];
          const r = v < 0 ? -Math.floor(0.5 - v) : Math.floor(v + 0.5);
          o[outOff + p] = r < lo ? lo : r > hi ? hi : r === r ? r : 0;
        } else o[outOff + p] = fillRaw;
      }
    }
    return;
  }
  for (let j = 0, p = 0; j < my; j++) {
    const rowOk = planeValid && vy[j] === 1;
    for (let i = 0; i < mx; i++, p++) o[outOff + p] = rowOk && vx[i] === 1 ? plane[p] : fillRaw;
  }
}

function emitBlend(
  a: FloatArray,
  blend: { plane: FloatArray; wa: number; wb: number },
  out: Exclude<VoxelArray, BigInt64Array | BigUint64Array>,
  outOff: number,
  taps: readonly [AxisTaps, AxisTaps, AxisTaps],
  k: number,
  fillRaw: number,
): void {
  const mx = taps[0].m, my = taps[1].m;
  const vx = taps[0].valid, vy = taps[1].valid;
  const planeValid = taps[2].valid[k] === 1;
  const info = DTYPE_INFO[dtypeOf(out)];
  const { plane: b, wa, wb } = blend;
  const lo = info.min, hi = info.max, integer = info.integer;
  for (let j = 0, p = 0; j < my; j++) {
    const rowOk = planeValid && vy[j] === 1;
    for (let i = 0; i < mx; i++, p++) {
      if (rowOk && vx[i] === 1) {
        const v = wa * a[p] + wb * b[p];
        if (integer) {
          const r = v < 0 ? -Math.floor(0.5 - v) : Math.floor(v + 0.5);
          out[outOff + p] = r < lo ? lo : r > hi ? hi : r === r ? r : 0;
        } else out[outOff + p] = v;
      } else out[outOff + p] = fillRaw;
    }
  }
}

function encodeInteger(v: number, lo: number, hi: number): number {
  if (Number.isNaN(v)) return 0;
  const r = v < 0 ? -Math.floor(0.5 - v) : Math.floor(v + 0.5);
  return r < lo ? lo : r > hi ? hi : r;
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
  const fill = (bigint ? BigInt(fillRaw) : fillRaw) as number;
  let o = 0;
  for (let f = 0; f < volume.frames; f++) {
    const base = f * nx * ny * nz;
    for (let k = 0; k < tz.m; k++) {
      const zOk = tz.valid[k] === 1, zOff = base + tz.idx[k] * nx * ny;
      for (let j = 0; j < ty.m; j++) {
        const rowOk = zOk && ty.valid[j] === 1, rowOff = zOff + ty.idx[j] * nx;
        for (let i = 0; i < tx.m; i++) {
          dst[o++] = rowOk && tx.valid[i] === 1 ? src[rowOff + tx.idx[i]] : fill;
        }
      }
    }
  }
}
