import assert from "node:assert/strict";
import { fitExponent, spreadAroundMedian } from "../../bench/_fit.ts";

function assertAlmostEquals(actual: number, expected: number, tolerance: number): void {
  assert.ok(
    Math.abs(actual - expected) <= tolerance,
    `${actual} is not within ${tolerance} of ${expected}`,
  );
}

Deno.test("fitExponent: the slope of log cost against log work (linear, quadratic, constant)", () => {
  const work = [64 ** 3, 128 ** 3, 256 ** 3, 512 ** 3];
  assertAlmostEquals(fitExponent(work, work.map((w) => 3e-9 * w)), 1, 1e-12);
  assertAlmostEquals(fitExponent(work, work.map((w) => 5 * w * w)), 2, 1e-12);
  assertAlmostEquals(fitExponent(work, work.map(() => 7)), 0, 1e-12);
  // n log n over 10 → 1000: numpy.polyfit(log n, log(n log n), 1) gives a slope of 1.23856
  const n = [10, 100, 1000];
  assertAlmostEquals(fitExponent(n, n.map((x) => x * Math.log(x))), 1.23856, 1e-5);
});

Deno.test("fitExponent: skips non-positive costs; NaN without two usable points", () => {
  assertAlmostEquals(fitExponent([1, 2, 4, 8], [-1, 2, 4, 8]), 1, 1e-12);
  assert.deepEqual(fitExponent([1, 2], [0, 3]), NaN);
  assert.deepEqual(fitExponent([5, 5], [1, 2]), NaN);
});

Deno.test("spreadAroundMedian: extremes relative to the median and the ±tolerance verdict", () => {
  const s = spreadAroundMedian([1.0, 1.2, 0.9, 1.1], 0.25);
  assertAlmostEquals(s.median, 1.05, 1e-12);
  assertAlmostEquals(s.low, 0.9 / 1.05 - 1, 1e-12);
  assertAlmostEquals(s.high, 1.2 / 1.05 - 1, 1e-12);
  assert.deepEqual(s.flat, true);
  assert.deepEqual(spreadAroundMedian([1, 1, 1.3], 0.25).flat, false);
  assert.deepEqual(spreadAroundMedian([1, NaN, 1], 0.25).flat, false);
});
