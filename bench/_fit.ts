/**
 * Small statistics for the scaling benchmarks (bench scale): the exponent of a power law fitted
 * by least squares in log–log space, and how flat a per-unit cost is.
 * Pure functions, no permissions.
 */

/**
 * The exponent b of cost ≈ a · work^b: the least-squares slope of log(cost) against log(work)
 * (1.0 = linear, 2.0 = quadratic). Pairs with a non-positive or non-finite value are skipped
 * (a cost above a fixed part can come out ≤ 0 in noise); NaN with fewer than two usable pairs
 * or a single distinct work size.
 */
export function fitExponent(work: readonly number[], cost: readonly number[]): number {
  if (work.length !== cost.length) throw new Error("fitExponent: work and cost differ in length");
  const xs: number[] = [], ys: number[] = [];
  for (let i = 0; i < work.length; i++) {
    const w = work[i], c = cost[i];
    if (!(w > 0 && c > 0 && Number.isFinite(w) && Number.isFinite(c))) continue;
    xs.push(Math.log(w));
    ys.push(Math.log(c));
  }
  if (xs.length < 2) return NaN;
  const mx = xs.reduce((s, x) => s + x, 0) / xs.length;
  const my = ys.reduce((s, y) => s + y, 0) / ys.length;
  let sxy = 0, sxx = 0;
  for (let i = 0; i < xs.length; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
  }
  return sxx > 0 ? sxy / sxx : NaN;
}

/** How far per-unit costs spread: each value relative to their median, the extremes. */
export interface Spread {
  median: number;
  /** Smallest value ÷ median − 1 (e.g. −0.12). */
  low: number;
  /** Largest value ÷ median − 1 (e.g. +0.20). */
  high: number;
  /** Whether every value is within ±`tolerance` of the median. */
  flat: boolean;
}

/** The spread of `values` around their median; flat when all are within ±`tolerance`. */
export function spreadAroundMedian(values: readonly number[], tolerance: number): Spread {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return { median: NaN, low: NaN, high: NaN, flat: false };
  const m = sorted.length % 2
    ? sorted[(sorted.length - 1) / 2]
    : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
  const low = sorted[0] / m - 1, high = sorted[sorted.length - 1] / m - 1;
  return {
    median: m,
    low,
    high,
    flat: sorted.length === values.length && low >= -tolerance && high <= tolerance,
  };
}
