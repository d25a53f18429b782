/**
 * Row samplers of `warp` (SPEC §3): each fills dst[at…at+n) from continuous
 * input indices xs, ys, zs; samples outside [−0.5 − 1e-4, N − 0.5 + 1e-4] on
 * any axis take the fill value.
 */
import { float32Keeping, type NumberArray, roundAndClamp } from "./dtype.ts";
import { bsplineWeights, mirrorIndex } from "./bspline.ts";
import { EDGE_TOLERANCE as EDGE } from "./grid.ts";

/** One source frame as the row samplers read it. */
export interface SampleArgs {
  src: NumberArray;
  /** No NaN or ±Inf in src (zero-weight neighbours may then be read). */
  finite: boolean;
  base: number;
  sx: number;
  sy: number;
  sz: number;
  fill: number;
  slope: number;
  inter: number;
}

/** Whether n values from base are all finite. */
export function allFinite(src: NumberArray, base: number, n: number): boolean {
  for (let i = base; i < base + n; i++) if (!Number.isFinite(src[i])) return false;
  return true;
}

/**
 * Stores a row of float64 samples at `o`: into float32 with `float32Keeping`, into integers
 * rounded half away from zero and clamped into the type's range (NaN → 0).
 */
export function storeRow(
  row: Float64Array,
  out: NumberArray,
  o: number,
  info: { integer: boolean; min: number; max: number },
) {
  if (!info.integer) {
    for (let i = 0; i < row.length; i++) out[o + i] = float32Keeping(row[i]);
    return;
  }
  for (let i = 0; i < row.length; i++) {
    out[o + i] = roundAndClamp(row[i], info.min, info.max, "nearest");
  }
}

/** Nearest-neighbour samples of one row (SPEC §3), × slope + inter, fill outside. */
export function nearestRow(
  s: SampleArgs,
  xs: Float64Array,
  ys: Float64Array,
  zs: Float64Array,
  dst: NumberArray,
  at: number,
) {
  const { src, base, sx, sy, sz, fill, slope, inter } = s;
  const hx = sx - 0.5 + EDGE, hy = sy - 0.5 + EDGE, hz = sz - 0.5 + EDGE, lo = -0.5 - EDGE;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i], y = ys[i], z = zs[i];
    if (!(x >= lo && x <= hx && y >= lo && y <= hy && z >= lo && z <= hz)) {
      dst[at + i] = fill;
      continue;
    }
    // x + 0.5 > −1e-4 here, so truncation is floor (or 0 at the very edge)
    let a = (x + 0.5) | 0, b = (y + 0.5) | 0, c = (z + 0.5) | 0;
    if (a >= sx) a = sx - 1;
    if (b >= sy) b = sy - 1;
    if (c >= sz) c = sz - 1;
    dst[at + i] = src[base + a + sx * (b + sy * c)] * slope + inter;
  }
}

/** Trilinear samples of one row, neighbours clamped to the edge, × slope + inter, fill outside. */
export function linearRow(
  s: SampleArgs,
  xs: Float64Array,
  ys: Float64Array,
  zs: Float64Array,
  dst: NumberArray,
  at: number,
) {
  const { src, base, sx, sy, sz, fill, slope, inter } = s;
  const hx = sx - 0.5 + EDGE, hy = sy - 0.5 + EDGE, hz = sz - 0.5 + EDGE, lo = -0.5 - EDGE;
  const sxy = sx * sy, mx = sx - 1, my = sy - 1, mz = sz - 1, finite = s.finite;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i], y = ys[i], z = zs[i];
    if (finite && x >= 0 && x < mx && y >= 0 && y < my && z >= 0 && z < mz) {
      // interior: all 8 neighbours exist (x | 0 is floor for x >= 0)
      const x0 = x | 0, y0 = y | 0, z0 = z | 0;
      const fx = x - x0, fy = y - y0, fz = z - z0;
      const r = base + x0 + sx * y0 + sxy * z0, q = r + sxy;
      const c00 = src[r] + (src[r + 1] - src[r]) * fx;
      const c10 = src[r + sx] + (src[r + sx + 1] - src[r + sx]) * fx;
      const c01 = src[q] + (src[q + 1] - src[q]) * fx;
      const c11 = src[q + sx] + (src[q + sx + 1] - src[q + sx]) * fx;
      const c0 = c00 + (c10 - c00) * fy, c1 = c01 + (c11 - c01) * fy;
      dst[at + i] = (c0 + (c1 - c0) * fz) * slope + inter;
      continue;
    }
    if (!(x >= lo && x <= hx && y >= lo && y <= hy && z >= lo && z <= hz)) {
      dst[at + i] = fill;
      continue;
    }
    let x0 = Math.floor(x), y0 = Math.floor(y), z0 = Math.floor(z);
    const fx = x - x0, fy = y - y0, fz = z - z0;
    // a zero weight never reads its neighbour (a NaN there must not leak in)
    let x1 = fx === 0 ? x0 : x0 + 1, y1 = fy === 0 ? y0 : y0 + 1, z1 = fz === 0 ? z0 : z0 + 1;
    if (x0 < 0) x0 = 0;
    if (y0 < 0) y0 = 0;
    if (z0 < 0) z0 = 0;
    if (x1 >= sx) x1 = sx - 1;
    if (y1 >= sy) y1 = sy - 1;
    if (z1 >= sz) z1 = sz - 1;
    const r00 = base + sx * y0 + sxy * z0, r10 = base + sx * y1 + sxy * z0;
    const r01 = base + sx * y0 + sxy * z1, r11 = base + sx * y1 + sxy * z1;
    const a00 = src[r00 + x0], b00 = src[r00 + x1], a10 = src[r10 + x0], b10 = src[r10 + x1];
    const a01 = src[r01 + x0], b01 = src[r01 + x1], a11 = src[r11 + x0], b11 = src[r11 + x1];
    const c00 = a00 + (b00 - a00) * fx, c10 = a10 + (b10 - a10) * fx;
    const c01 = a01 + (b01 - a01) * fx, c11 = a11 + (b11 - a11) * fx;
    const c0 = c00 + (c10 - c00) * fy, c1 = c01 + (c11 - c01) * fy;
    dst[at + i] = (c0 + (c1 - c0) * fz) * slope + inter;
  }
}

/** Cubic B-spline samples of one row from prefiltered coefficients (mirror), × slope + inter. */
export function bsplineRow(
  s: SampleArgs,
  xs: Float64Array,
  ys: Float64Array,
  zs: Float64Array,
  dst: NumberArray,
  at: number,
) {
  const { src, sx, sy, sz, fill, slope, inter } = s;
  const hx = sx - 0.5 + EDGE, hy = sy - 0.5 + EDGE, hz = sz - 0.5 + EDGE, lo = -0.5 - EDGE;
  const wx = new Float64Array(4), wy = new Float64Array(4), wz = new Float64Array(4);
  const ix = new Int32Array(4), iy = new Int32Array(4), iz = new Int32Array(4);
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i], y = ys[i], z = zs[i];
    if (!(x >= lo && x <= hx && y >= lo && y <= hy && z >= lo && z <= hz)) {
      dst[at + i] = fill;
      continue;
    }
    const x0 = Math.floor(x), y0 = Math.floor(y), z0 = Math.floor(z);
    bsplineWeights(x - x0, wx);
    bsplineWeights(y - y0, wy);
    bsplineWeights(z - z0, wz);
    for (let t = 0; t < 4; t++) {
      ix[t] = mirrorIndex(x0 - 1 + t, sx);
      iy[t] = mirrorIndex(y0 - 1 + t, sy) * sx;
      iz[t] = mirrorIndex(z0 - 1 + t, sz) * sx * sy;
    }
    let v = 0;
    for (let c = 0; c < 4; c++) {
      let vy = 0;
      for (let b = 0; b < 4; b++) {
        const r = iz[c] + iy[b];
        vy += wy[b] * (wx[0] * src[r + ix[0]] + wx[1] * src[r + ix[1]] +
          wx[2] * src[r + ix[2]] + wx[3] * src[r + ix[3]]);
      }
      v += wz[c] * vy;
    }
    dst[at + i] = v * slope + inter;
  }
}
