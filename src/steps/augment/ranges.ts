import { z } from "zod";
import type { Rng } from "../../random/rng.ts";

/** A closed interval [low, high]. */
export type Range = [number, number];

const pair = z.tuple([z.number(), z.number()]).refine((r) => r[0] <= r[1], {
  message: "Range must be [low, high] with low <= high",
});

/**
 * A range param: a number `v` (meaning `[center − v, center + v]`, or `[0, v]`
 * for one-sided ranges) or `[low, high]`; `min` bounds every value.
 */
export function rangeSchema(min = -Infinity) {
  const bounded = (n: z.ZodNumber) => (min === -Infinity ? n : n.min(min));
  return z.union([
    bounded(z.number()),
    pair.refine((r) => r[0] >= min, { message: `Range values must be >= ${min}` }),
  ]);
}

/** A per-axis range param: a range for every axis, or `[[lo, hi], [lo, hi], [lo, hi]]` (x, y, z). */
export function axisRangeSchema(min = -Infinity) {
  const one = rangeSchema(min);
  return z.union([one, z.tuple([pair, pair, pair])]);
}

/** Resolves a range param: a number v → [center − v, center + v] (or [0, v] when `oneSided`). */
export function toRange(v: number | Range, center = 0, oneSided = false): Range {
  if (typeof v !== "number") return [v[0], v[1]];
  return oneSided ? [0, v] : [center - v, center + v];
}

/** Resolves a per-axis range param into three ranges (x, y, z). */
export function toAxisRanges(
  v: number | Range | [Range, Range, Range],
  center = 0,
): [Range, Range, Range] {
  if (typeof v !== "number" && Array.isArray(v[0])) {
    const a = v as [Range, Range, Range];
    return [[...a[0]], [...a[1]], [...a[2]]];
  }
  const r = toRange(v as number | Range, center);
  return [[...r], [...r], [...r]];
}

/** A uniform draw from [low, high) (always one draw, so a point range keeps later draws in step). */
export function drawIn(rng: Rng, r: Range): number {
  return rng.uniform(r[0], r[1]);
}
