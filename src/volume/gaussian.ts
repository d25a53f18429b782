/**
 * Gaussian smoothing along one axis with an edge-clamped boundary (scipy
 * `gaussian_filter1d(mode='nearest')`), used for anti-aliasing (SPEC §3).
 */
import { borrowFloats, type FloatArray, releaseFloats } from "./scratch.ts";

/**
 * In-place convolution of `width` interleaved lines of `n` samples (sample k
 * of line p at `block[k * width + p]`) with a symmetric odd-length `kernel`.
 */
export function smoothBlock(
  block: Float64Array,
  n: number,
  width: number,
  kernel: Float64Array,
): void {
  const radius = (kernel.length - 1) / 2;
  const copy = borrowFloats(true, n * width) as Float64Array;
  copy.set(block.subarray(0, n * width));
  for (let k = 0; k < n; k++) {
    const a = k * width;
    block.fill(0, a, a + width);
    for (let j = -radius; j <= radius; j++) {
      const kk = k + j < 0 ? 0 : k + j > n - 1 ? n - 1 : k + j;
      const wj = kernel[j + radius], o = kk * width;
      for (let p = 0; p < width; p++) block[a + p] += wj * copy[o + p];
    }
  }
  releaseFloats(copy);
}

/**
 * In-place convolution of `count` lines of `n` samples with a symmetric
 * `kernel` (odd length); sample k of line p sits at `base + k * strideK + p * strideP`.
 */
export function smoothLines(
  data: FloatArray,
  base: number,
  n: number,
  strideK: number,
  count: number,
  strideP: number,
  kernel: Float64Array,
): void {
  const chunk = Math.max(1, Math.min(count, Math.floor(65536 / n)));
  const block = borrowFloats(true, n * chunk) as Float64Array;
  for (let p0 = 0; p0 < count; p0 += chunk) {
    const c = Math.min(chunk, count - p0);
    const view = block.subarray(0, n * c);
    for (let k = 0; k < n; k++) {
      const a = base + k * strideK + p0 * strideP;
      for (let p = 0; p < c; p++) view[k * c + p] = data[a + p * strideP];
    }
    smoothBlock(view, n, c, kernel);
    for (let k = 0; k < n; k++) {
      const a = base + k * strideK + p0 * strideP;
      for (let p = 0; p < c; p++) data[a + p * strideP] = view[k * c + p];
    }
  }
  releaseFloats(block);
}
