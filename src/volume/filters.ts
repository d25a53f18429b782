/** Normalized Gaussian kernel of σ (voxels), radius round(4σ) as scipy's gaussian_filter1d. */
export function gaussianKernel(sigma: number, truncate = 4): Float64Array {
  const radius = Math.floor(truncate * sigma + 0.5);
  const k = new Float64Array(2 * radius + 1);
  let sum = 0;
  for (let i = -radius; i <= radius; i++) {
    const w = Math.exp((-0.5 * i * i) / (sigma * sigma));
    k[i + radius] = w;
    sum += w;
  }
  for (let i = 0; i < k.length; i++) k[i] /= sum;
  return k;
}

/**
 * In-place separable Gaussian smoothing of one frame (x fastest) with σ in
 * voxels per axis (0 skips an axis), kernel truncated at 4σ, edge-clamped
 * boundary: scipy `gaussian_filter(mode='nearest', truncate=4)`.
 */
export function gaussianBlur(
  data: Float32Array | Float64Array,
  shape: readonly [number, number, number],
  sigma: readonly [number, number, number],
): void {
  const strides = [1, shape[0], shape[0] * shape[1]];
  for (let a = 0; a < 3; a++) {
    if (!(sigma[a] > 0) || shape[a] < 2) continue;
    const k = gaussianKernel(sigma[a]), r = (k.length - 1) / 2, n = shape[a], st = strides[a];
    const line = new Float64Array(n);
    const others = [0, 1, 2].filter((b) => b !== a);
    for (let v = 0; v < shape[others[1]]; v++) {
      for (let u = 0; u < shape[others[0]]; u++) {
        const base = u * strides[others[0]] + v * strides[others[1]];
        for (let i = 0; i < n; i++) line[i] = data[base + i * st];
        for (let i = 0; i < n; i++) {
          let s = 0;
          for (let t = -r; t <= r; t++) {
            const q = i + t;
            s += k[t + r] * line[q < 0 ? 0 : q >= n ? n - 1 : q];
          }
          data[base + i * st] = s;
        }
      }
    }
  }
}
