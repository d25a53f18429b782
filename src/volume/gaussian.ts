/**
 * Gaussian smoothing with an edge-clamped boundary (scipy `gaussian_filter1d(mode='nearest')`,
 * truncate 4): the one kernel and line convolution, used for anti-aliasing (SPEC §3) and the
 * augment blur.
 */
import { borrowFloats, type FloatArray, releaseFloats } from "./scratch.ts";

/**
 * Normalised Gaussian kernel of scipy `gaussian_filter1d` (truncate 4): radius int(4σ + 0.5);
 * null when σ ≤ 0 or the kernel would be a single tap (no smoothing).
 */
export function gaussianKernel(sigma: number): Float64Array | null {
  if (!(sigma > 0)) return null;
  const radius = Math.floor(4 * sigma + 0.5);
  if (radius < 1) return null;
  const k = new Float64Array(2 * radius + 1);
  let sum = 0;
  for (let x = -radius; x <= radius; x++) {
    const v = Math.exp((-0.5 * x * x) / (sigma * sigma));
    k[x + radius] = v;
    sum += v;
  }
  for (let i = 0; i < k.length; i++) k[i] /= sum;
  return k;
}

/**
 * In-place separable Gaussian smoothing of one frame (x fastest) with σ in voxels per axis
 * (0 skips an axis): scipy `gaussian_filter(mode='nearest', truncate=4)`.
 */
export function gaussianBlur(
  data: Float32Array | Float64Array,
  shape: readonly [number, number, number],
  sigma: readonly [number, number, number],
): void {
  const [nx, ny, nz] = shape, plane = nx * ny;
  for (let a = 0; a < 3; a++) {
    const kernel = shape[a] < 2 ? null : gaussianKernel(sigma[a]);
    if (!kernel) continue;
    if (a === 2) smoothLines(data, 0, nz, plane, plane, 1, kernel);
    else {
      for (let z = 0; z < nz; z++) {
        if (a === 0) smoothLines(data, z * plane, nx, 1, ny, nx, kernel);
        else smoothLines(data, z * plane, ny, nx, nx, 1, kernel);
      }
    }
  }
}

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
