/** Summary statistics of a volume's real (scaled) values over all frames. */
import type { Volume } from "./volume.ts";

/** min/max/mean/std (population) over finite values. */
export interface ValueStats {
  min: number;
  max: number;
  mean: number;
  std: number;
  /** Finite values counted. */
  count: number;
  /** NaN and ±Inf values skipped. */
  nonFinite: number;
}

/**
 * Statistics of `raw * slope + inter` in float64 over every frame, skipping NaN and ±Inf
 * (two passes, so the std does not suffer from cancellation); null when no value is finite.
 */
export function deriveValueStats(volume: Volume): ValueStats | null {
  const d = volume.data;
  const { slope, inter } = volume;
  const n = d.length;
  let min = Infinity, max = -Infinity, sum = 0, count = 0;
  for (let i = 0; i < n; i++) {
    const v = Number(d[i]) * slope + inter;
    if (v - v !== 0) continue; // NaN or ±Inf
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    count++;
  }
  if (count === 0) return null;
  const mean = sum / count;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const v = Number(d[i]) * slope + inter;
    if (v - v !== 0) continue;
    ss += (v - mean) * (v - mean);
  }
  return { min, max, mean, std: Math.sqrt(ss / count), count, nonFinite: n - count };
}
