/**
 * Nyúl–Udupa histogram standardization as TorchIO's `HistogramStandardization`
 * (torchio/transforms/preprocessing/intensity/histogram_standardization.py): landmarks at the
 * cutoff percentiles, the quartiles and the deciles; each image's own landmarks are mapped
 * piecewise linearly onto the landmarks learned over the dataset (quartiles excluded from the
 * pieces, as TorchIO's `range_to_use`).
 */

/** TorchIO's default cutoff quantiles. */
export const DEFAULT_CUTOFF: readonly [number, number] = [0.01, 0.99];

/** The percentiles (0–100) of the landmarks: cutoffs, quartiles and deciles, sorted, unique. */
export function landmarkPercentiles(cutoff: readonly [number, number]): number[] {
  const all = [100 * cutoff[0], 100 * cutoff[1], 25, 50, 75, 10, 20, 30, 40, 50, 60, 70, 80, 90];
  return [...new Set(all)].sort((a, b) => a - b);
}

/** Indices of the landmarks used as piece ends (TorchIO: the 25th and 75th are skipped). */
function rangeToUse(percentiles: readonly number[]): number[] {
  return percentiles.flatMap((p, i) => (p === 25 || p === 75 ? [] : [i]));
}

/** The slopes and intercepts of the pieces and their inner edges for one image. */
export interface PiecewiseMap {
  edges: number[];
  slopes: number[];
  intercepts: number[];
}

/**
 * The piecewise linear map of an image with landmarks `own` onto `mapping` (TorchIO's
 * `normalize`): pieces whose own landmarks differ by < epsilon get slope 0.
 */
export function piecewiseMap(
  own: readonly number[],
  mapping: readonly number[],
  percentiles: readonly number[],
  epsilon = 1e-5,
): PiecewiseMap {
  const use = rangeToUse(percentiles);
  const rm = use.map((i) => mapping[i]), rp = use.map((i) => own[i]);
  const slopes: number[] = [], intercepts: number[] = [];
  for (let k = 0; k < use.length - 1; k++) {
    let dp = rp[k + 1] - rp[k];
    if (dp < epsilon) dp = Infinity;
    slopes.push((rm[k + 1] - rm[k]) / dp);
    intercepts.push(rm[k] - slopes[k] * rp[k]);
  }
  return { edges: rp.slice(1, -1), slopes, intercepts };
}

/**
 * Maps one value as TorchIO does after casting to float32: `np.digitize(x, edges)` picks the
 * piece (edges[i-1] ≤ x < edges[i]); the result is rounded to float32 by the caller's storage.
 */
export function applyPiecewise(map: PiecewiseMap, x: number): number {
  const { edges } = map;
  let b = 0;
  while (b < edges.length && x >= edges[b]) b++;
  return map.slopes[b] * x + map.intercepts[b];
}
