/**
 * minOf / maxOf are Math.min(...values) / Math.max(...values) for any length: the spread throws
 * RangeError beyond ~125,000 values (the report's and the fingerprint's per-subject lists).
 */
import assert from "node:assert/strict";
import { maxOf, minOf } from "../../src/volume/stats.ts";
import { histogram } from "../../src/report/svg_plot.ts";

Deno.test("minOf/maxOf equal Math.min/Math.max on small lists (NaN, empty, ±0, ±Infinity)", () => {
  const lists = [[], [3], [2, -1, 5], [NaN, 1], [1, NaN], [0, -0], [-0, 0], [Infinity, -Infinity]];
  for (const l of lists) {
    assert.ok(Object.is(minOf(l), Math.min(...l)), `min ${l}`);
    assert.ok(Object.is(maxOf(l), Math.max(...l)), `max ${l}`);
  }
});

Deno.test("minOf/maxOf and the report's histogram take 500,000 values", () => {
  const values = Array.from({ length: 500_000 }, (_, i) => (i * 7919) % 100_003 - 50_000);
  assert.equal(minOf(values), -50_000);
  assert.equal(maxOf(values), 50_002);
  const h = histogram(values, 10);
  assert.equal(h.min, -50_000);
  assert.equal(h.max, 50_002);
  assert.equal(h.counts.reduce((a, b) => a + b, 0), 500_000);
});
