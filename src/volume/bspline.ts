/**
 * Cubic B-spline interpolation pieces (SPEC §3): the exact interpolating
 * prefilter with whole-sample mirror boundaries (scipy `spline_filter1d`
 * order 3 mode 'mirror', ITK BSplineDecompositionImageFilter), tap weights and
 * the mirror index rule. Pure math, no I/O.
 */

/** The single pole of the cubic B-spline prefilter, √3 − 2. */
export const BSPLINE3_POLE = Math.sqrt(3) - 2;
/** Gain (1 − z)(1 − 1/z) of the cubic prefilter. */
const GAIN = (1 - BSPLINE3_POLE) * (1 - 1 / BSPLINE3_POLE);
/** Beyond this many samples z^k < 1e-20: the causal initial sum is exact in float64. */
const HORIZON = Math.ceil(Math.log(1e-20) / Math.log(-BSPLINE3_POLE));

let initScratch = new Float64Array(0);
let blockScratch = new Float64Array(0);

/**
 * In-place cubic prefilter of `width` lines of `n` samples stored interleaved:
 * sample k of line p at `block[k * width + p]`. Every inner loop is contiguous
 * and over independent lines, so the recursions pipeline well.
 */
export function prefilterBlock(block: Float64Array, n: number, width: number): void {
  if (n < 2 || width < 1) return;
  const z = BSPLINE3_POLE;
  if (initScratch.length < width) initScratch = new Float64Array(width);
  const c0 = initScratch;
  const last = (n - 1) * width;
  // Causal initial value, mirror boundary (scipy `_init_causal_mirror`).
  if (n <= HORIZON) {
    const zn1 = Math.pow(z, n - 1);
    for (let p = 0; p < width; p++) c0[p] = block[p] + zn1 * block[last + p];
    let zi = z;
    for (let i = 1; i < n - 1; i++) {
      const a = i * width, b = (n - 1 - i) * width;
      for (let p = 0; p < width; p++) c0[p] += zi * (block[a + p] + zn1 * block[b + p]);
      zi *= z;
    }
    const d = 1 / (1 - zn1 * zn1);
    for (let p = 0; p < width; p++) c0[p] *= d;
  } else {
    for (let p = 0; p < width; p++) c0[p] = block[p];
    let zi = z;
    for (let i = 1; i < HORIZON; i++) {
      const a = i * width;
      for (let p = 0; p < width; p++) c0[p] += zi * block[a + p];
      zi *= z;
    }
  }
  // The gain is applied to every sample; the initial value is linear in them.
  for (let p = 0; p < width; p++) block[p] = GAIN * c0[p];
  for (let k = 1; k < n; k++) {
    const a = k * width, b = a - width;
    for (let p = 0; p < width; p++) block[a + p] = GAIN * block[a + p] + z * block[b + p];
  }
  // Anticausal initial value (scipy `_init_anticausal_mirror`), then the backward sweep.
  const f = z / (z * z - 1);
  const prev = last - width;
  for (let p = 0; p < width; p++) block[last + p] = (z * block[prev + p] + block[last + p]) * f;
  for (let k = n - 2; k >= 0; k--) {
    const a = k * width, b = a + width;
    for (let p = 0; p < width; p++) block[a + p] = z * (block[b + p] - block[a + p]);
  }
}

/**
 * In-place cubic prefilter of `count` lines of `n` samples: sample k of line p
 * sits at `base + k * strideK + p * strideP`. Lines are copied in chunks into
 * an interleaved float64 block, filtered there and written back.
 */
export function prefilterLines(
  data: Float32Array | Float64Array,
  base: number,
  n: number,
  strideK: number,
  count: number,
  strideP: number,
): void {
  if (n < 2 || count < 1) return;
  const chunk = Math.max(1, Math.min(count, Math.floor(65536 / n)));
  if (blockScratch.length < chunk * n) blockScratch = new Float64Array(chunk * n);
  const block = blockScratch;
  for (let p0 = 0; p0 < count; p0 += chunk) {
    const w = Math.min(chunk, count - p0);
    for (let k = 0; k < n; k++) {
      const a = base + k * strideK + p0 * strideP, o = k * w;
      for (let p = 0; p < w; p++) block[o + p] = data[a + p * strideP];
    }
    prefilterBlock(block, n, w);
    for (let k = 0; k < n; k++) {
      const a = base + k * strideK + p0 * strideP, o = k * w;
      for (let p = 0; p < w; p++) data[a + p * strideP] = block[o + p];
    }
  }
}

/** In-place exact cubic B-spline prefilter (interpolating coefficients), whole-sample mirror boundaries, separable over x,y,z of one frame. */
export function prefilterBSpline3(
  data: Float32Array | Float64Array,
  shape: readonly [number, number, number],
): void {
  const [nx, ny, nz] = shape;
  const plane = nx * ny;
  if (data.length < plane * nz) {
    throw new RangeError(
      `Cannot prefilter volume of shape ${shape.join("x")}: data has ${data.length} samples`,
    );
  }
  for (let k = 0; k < nz; k++) {
    // x lines of one plane, processed side by side (line p starts at row p).
    prefilterLines(data, k * plane, nx, 1, ny, nx);
    // y lines of one plane: sample j of column p at j * nx + p.
    prefilterLines(data, k * plane, ny, nx, nx, 1);
  }
  prefilterLines(data, 0, nz, plane, plane, 1);
}

/** Cubic B-spline weights of the 4 taps around floor(x) - 1 .. floor(x) + 2 for fractional part t, written into out. */
export function bsplineWeights(t: number, out: Float64Array): void {
  const u = 1 - t, t2 = t * t, t3 = t2 * t;
  out[0] = (u * u * u) / 6;
  out[1] = (3 * t3 - 6 * t2 + 4) / 6;
  out[2] = (-3 * t3 + 3 * t2 + 3 * t + 1) / 6;
  out[3] = t3 / 6;
}

/** Whole-sample mirror of index i into [0, n-1] (… c b | a b c d | c b a …). */
export function mirrorIndex(i: number, n: number): number {
  if (n <= 1) return 0;
  const period = 2 * n - 2;
  let m = i % period;
  if (m < 0) m += period;
  return m < n ? m : period - m;
}
