import assert from "node:assert/strict";
import { clampStored, deriveStoredBounds, mapToFloat } from "../../src/volume/intensity.ts";
import { makeVolume } from "../_volumes.ts";

Deno.test("deriveStoredBounds accepts exact stored steps and bounds beyond the type", () => {
  const i16 = makeVolume({ dtype: "int16" });
  assert.deepEqual(deriveStoredBounds(i16, { lo: -1000, hi: 1000 }), { lo: -1000, hi: 1000 });
  assert.equal(deriveStoredBounds(i16, { lo: -1000, hi: 999.5 }), undefined);
  assert.deepEqual(deriveStoredBounds(i16, { lo: -1e6, hi: Infinity }), {
    lo: -Infinity,
    hi: Infinity,
  });
  assert.equal(deriveStoredBounds(i16, { lo: -1e6, hi: 1e6 + 0.5 })?.hi, Infinity);
  const ct = makeVolume({ dtype: "uint16", slope: 1, inter: -1024 });
  assert.deepEqual(deriveStoredBounds(ct, { lo: -1000, hi: 1000 }), { lo: 24, hi: 2024 });
  const u8 = makeVolume({ dtype: "uint8", slope: 7.11, inter: -1024 });
  assert.equal(deriveStoredBounds(u8, { lo: -1000, hi: 1000 }), undefined);
  assert.deepEqual(deriveStoredBounds(u8, { lo: -1024 + 7.11 * 3, hi: 1e9 }), {
    lo: 3,
    hi: Infinity,
  });
});

Deno.test("deriveStoredBounds swaps sides for a negative slope and accepts any float bound", () => {
  const neg = makeVolume({ dtype: "int16", slope: -2, inter: 10 });
  // Real lo −10 ↔ stored 10, real hi 4 ↔ stored 3.
  assert.deepEqual(deriveStoredBounds(neg, { lo: -10, hi: 4 }), { lo: 3, hi: 10 });
  const f = makeVolume({ dtype: "float32", slope: 2, inter: 1 });
  assert.deepEqual(deriveStoredBounds(f, { lo: 0.2, hi: 4 }), { lo: -0.4, hi: 1.5 });
});

Deno.test("clampStored clamps stored values per frame and keeps dtype and scaling", () => {
  const v = makeVolume({ frames: 2, dtype: "int64", slope: 3, inter: 1 });
  const r = clampStored(v, [{ lo: 10, hi: 20 }, { lo: -Infinity, hi: 1002 }]);
  assert.equal(r.volume.dtype, "int64");
  assert.equal(r.volume.slope, 3);
  assert.deepEqual([...r.volume.data.slice(0, 3)], [10n, 10n, 10n]);
  assert.equal(r.volume.data[6], 11n);
  assert.equal(r.volume.data[13], 20n);
  assert.equal(r.volume.data[210], 1000n);
  assert.equal(r.volume.data[419], 1002n);
  assert.equal(r.clamped[0], 210 - 6);
  assert.equal(v.data[0], 0n, "input not mutated");
});

Deno.test("mapToFloat (float32) maps real values, clamps, keeps zeros and NaN", () => {
  const v = makeVolume({
    dtype: "float64",
    slope: 2,
    fn: (i, j) => (i === 0 ? 0 : i === 1 && j === 0 ? NaN : i + j),
  });
  const map = { sub: 1, div: 4, mul: 10, add: -1, hi: 20, keepZero: true };
  const r = mapToFloat(v, [map], { storage: "float32" });
  assert.equal(r.volume.dtype, "float32");
  assert.equal(r.volume.data[0], 0, "zero kept");
  assert.ok(Number.isNaN(r.volume.data[1]), "NaN kept");
  // Stored 2 → real 4 → (4 − 1) / 4 · 10 − 1 = 6.5.
  assert.equal(r.volume.data[2], 6.5);
  // Stored 9 (i 4, j 5) → real 18 → 41.5 → clamped to 20.
  assert.equal(r.volume.data[4 + 5 * 5], 20);
  assert.ok(r.clamped[0] > 0);
});
