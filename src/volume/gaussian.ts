/**
 * Gaussian smoothing along one axis with an edge-clamped boundary (scipy
 * `gaussian_filter1d(mode='nearest')`), used for anti-aliasing (SPEC §3).
 */
import { borrowFloats, type FloatArray, releaseFloats } from "./scratch.ts";

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
  const radius = (kernel.length - 1) / 2;
  const chunk = Math.max(1, Math.min(count, Math.floor(262144 / n)));
  const s = borrowFloats(true, n * chunk);
  const acc = borrowFloats(true, chunk);
  for (let p0 = 0; p0 < count; p0 += chunk) {
    const c = Math.min(chunk, count - p0);
    // Copy the chunk's lines as s[k * c + p], then write the filtered values back.
    for (let k = 0; k < n; k++) {
      const a = base + k * strideK + p0 * strideP;
      for (let p = 0; p < c; p++) s[k * c + p] = data[a + p * strideP];
    }
    for (let k = 0; k < n; k++) {
      const a = base + k * strideK + p0 * strideP;
      acc.fill(0, 0, c);
      for (let j = -radius; j <= radius; j++) {
        const kk = k + j < 0 ? 0 : k + j > n - 1 ? n - 1 : k + j;
        const wj = kernel[j + radius];
        const o = kk * c;
        for (let p = 0; p < c; p++) acc[p] += wj * s[o + p];
      }
      for (let p = 0; p < c; p++) data[a + p * strideP] = acc[p];
    }
  }
  releaseFloats(s);
  releaseFloats(acc);
}
