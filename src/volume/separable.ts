/**
 * Separable 1-D sampling kernels: applying one axis's tap table to rows
 * (contiguous axis) or to lines of a strided axis (one output line at a time).
 * The inner loops are specialised for 1, 2 and 4 taps; 2 taps (linear) use the lerp form
 * a + (b − a) · t, exact where a = b (flat regions stay exactly their value, as in ITK).
 */
import type { NumberArray } from "./dtype.ts";
import type { AxisTaps } from "./interpolate.ts";
import type { FloatArray } from "./scratch.ts";

/**
 * Samples `rows` rows of length `taps.n` (row p at `srcOff + p * taps.n`) along
 * the row: `dst[dstOff + p * taps.m + i] = Σ_q w[i,q] · src[row + idx[i,q]]`.
 */
export function sampleRows(
  src: NumberArray | FloatArray,
  srcOff: number,
  rows: number,
  taps: AxisTaps,
  dst: FloatArray,
  dstOff: number,
): void {
  const { n, m, idx, w } = taps;
  if (taps.taps === 1) {
    for (let p = 0; p < rows; p++) {
      const s = srcOff + p * n, d = dstOff + p * m;
      for (let i = 0; i < m; i++) dst[d + i] = src[s + idx[i]];
    }
  } else if (taps.taps === 2) {
    for (let p = 0; p < rows; p++) {
      const s = srcOff + p * n, d = dstOff + p * m;
      for (let i = 0, o = 0; i < m; i++, o += 2) {
        const a = src[s + idx[o]];
        dst[d + i] = a + (src[s + idx[o + 1]] - a) * w[o + 1];
      }
    }
  } else {
    for (let p = 0; p < rows; p++) {
      const s = srcOff + p * n, d = dstOff + p * m;
      for (let i = 0, o = 0; i < m; i++, o += 4) {
        dst[d + i] = w[o] * src[s + idx[o]] + w[o + 1] * src[s + idx[o + 1]] +
          w[o + 2] * src[s + idx[o + 2]] + w[o + 3] * src[s + idx[o + 3]];
      }
    }
  }
}

/**
 * Output line j of a strided axis: lines of `width` contiguous samples, input
 * line k at `srcOff + k * width`; writes `width` values at `dstOff`.
 */
export function sampleLine(
  src: NumberArray | FloatArray,
  srcOff: number,
  width: number,
  taps: AxisTaps,
  j: number,
  dst: FloatArray,
  dstOff: number,
): void {
  const { idx, w } = taps;
  const t = taps.taps, o = j * t;
  const a = srcOff + idx[o] * width, wa = w[o];
  if (t === 1) {
    for (let p = 0; p < width; p++) dst[dstOff + p] = src[a + p];
    return;
  }
  const b = srcOff + idx[o + 1] * width, wb = w[o + 1];
  if (t === 2) {
    if (wb === 0) {
      for (let p = 0; p < width; p++) dst[dstOff + p] = src[a + p];
    } else {
      for (let p = 0; p < width; p++) {
        const v = src[a + p];
        dst[dstOff + p] = v + (src[b + p] - v) * wb;
      }
    }
    return;
  }
  const c = srcOff + idx[o + 2] * width, wc = w[o + 2];
  const d = srcOff + idx[o + 3] * width, wd = w[o + 3];
  for (let p = 0; p < width; p++) {
    dst[dstOff + p] = wa * src[a + p] + wb * src[b + p] + wc * src[c + p] + wd * src[d + p];
  }
}

/** Output plane of the last axis from separately stored input planes `planes[q]` (tap q). */
export function combinePlanes(
  planes: readonly FloatArray[],
  weights: readonly number[],
  dst: FloatArray,
  length: number,
): void {
  const a = planes[0], wa = weights[0];
  if (planes.length === 1 || (planes.length === 2 && weights[1] === 0)) {
    for (let p = 0; p < length; p++) dst[p] = a[p];
    return;
  }
  if (planes.length === 2) {
    const b = planes[1], wb = weights[1];
    for (let p = 0; p < length; p++) dst[p] = a[p] + (b[p] - a[p]) * wb;
    return;
  }
  for (let p = 0; p < length; p++) {
    let v = wa * a[p];
    for (let q = 1; q < planes.length; q++) v += weights[q] * planes[q][p];
    dst[p] = v;
  }
}

/**
 * Like sampleRows, from `width` rows stored interleaved in a float64 block
 * (sample k of row p at `block[k * width + p]`): writes row p at `dstOff + p * taps.m`.
 */
export function sampleBlockRows(
  block: Float64Array,
  width: number,
  taps: AxisTaps,
  dst: FloatArray,
  dstOff: number,
): void {
  const { m, idx, w } = taps;
  const t = taps.taps;
  for (let i = 0; i < m; i++) {
    const o = i * t, d = dstOff + i;
    if (t === 4) {
      const a = idx[o] * width, b = idx[o + 1] * width;
      const c = idx[o + 2] * width, e = idx[o + 3] * width;
      const wa = w[o], wb = w[o + 1], wc = w[o + 2], we = w[o + 3];
      for (let p = 0; p < width; p++) {
        dst[d + p * m] = wa * block[a + p] + wb * block[b + p] + wc * block[c + p] +
          we * block[e + p];
      }
    } else {
      for (let p = 0; p < width; p++) {
        let v = 0;
        for (let q = 0; q < t; q++) v += w[o + q] * block[idx[o + q] * width + p];
        dst[d + p * m] = v;
      }
    }
  }
}

/**
 * Bilinear x/y sampling of one plane straight from its source (4 reads per
 * output): cheaper than two separable passes when both axes shrink.
 * Both tables must have 2 taps; the plane has `tx.n` columns.
 */
export function sampleBilinear(
  src: NumberArray | FloatArray,
  srcOff: number,
  tx: AxisTaps,
  ty: AxisTaps,
  dst: FloatArray,
): void {
  const nx = tx.n, mx = tx.m, my = ty.m;
  const xi = tx.idx, xw = tx.w, yi = ty.idx, yw = ty.w;
  for (let j = 0; j < my; j++) {
    const a = srcOff + yi[2 * j] * nx, b = srcOff + yi[2 * j + 1] * nx;
    const ty = yw[2 * j + 1], d = j * mx;
    for (let i = 0, o = 0; i < mx; i++, o += 2) {
      const x0 = xi[o], x1 = xi[o + 1], tx = xw[o + 1];
      // x then y, each in lerp form (exact where neighbours are equal), as ITK
      const a0 = src[a + x0], b0 = src[b + x0];
      const c0 = a0 + (src[a + x1] - a0) * tx, c1 = b0 + (src[b + x1] - b0) * tx;
      dst[d + i] = c0 + (c1 - c0) * ty;
    }
  }
}
