import assert from "node:assert/strict";
import { createRng } from "../../src/random/rng.ts";
import type { DType } from "../../src/volume/dtype.ts";
import {
  deriveFrameStats,
  derivePercentiles,
  realValues,
  type VoxelMask,
} from "../../src/volume/stats.ts";
import { makeVolume } from "../_volumes.ts";
import { HAVE_SCIPY, runScipy } from "./_scipy.ts";

/** A 5×6×7 volume whose stored values are `values` (x fastest), repeated per frame. */
function fromValues(
  values: number[],
  dtype: DType,
  extra: { slope?: number; inter?: number } = {},
) {
  return makeVolume({
    dtype,
    frames: values.length / 210,
    fn: (i, j, k, t) => values[i + 5 * j + 30 * k + 210 * t],
    ...extra,
  });
}

Deno.test("realValues returns one frame scaled to float64", () => {
  const v = makeVolume({ frames: 2, slope: 0.5, inter: -3 });
  const r = realValues(v, 1);
  assert.equal(r.length, 210);
  assert.equal(r[0], 1000 * 0.5 - 3);
  assert.equal(r[209], (4 + 50 + 600 + 1000) * 0.5 - 3);
});

Deno.test("deriveFrameStats gives population mean/std and ignores NaN", () => {
  const vals = Array.from({ length: 210 }, (_, i) => (i % 3 === 0 ? 0 : i));
  vals[5] = NaN;
  const v = fromValues(vals, "float64");
  const kept = vals.filter((x) => !Number.isNaN(x));
  const mean = kept.reduce((a, b) => a + b, 0) / kept.length;
  const std = Math.sqrt(kept.reduce((a, b) => a + (b - mean) ** 2, 0) / kept.length);
  const s = deriveFrameStats(v, 0);
  assert.equal(s.n, 209);
  assert.equal(s.min, 0);
  assert.equal(s.max, 209);
  assert.ok(Math.abs(s.mean - mean) < 1e-12 && Math.abs(s.std - std) < 1e-12);
  const nz = deriveFrameStats(v, 0, "nonzero");
  assert.equal(nz.n, kept.filter((x) => x !== 0).length);
  assert.equal(nz.min, 1);
});

Deno.test("deriveFrameStats masks on real values and works per 4D frame", () => {
  // Stored 4 with slope 0.5, inter -2 is real 0: excluded by the nonzero mask.
  const v = makeVolume({
    frames: 2,
    dtype: "int16",
    slope: 0.5,
    inter: -2,
    fn: (i, _j, _k, t) => i === 0 ? 4 : 10 * t + i + 10,
  });
  const f0 = deriveFrameStats(v, 0, "nonzero"), f1 = deriveFrameStats(v, 1, "nonzero");
  assert.equal(f0.n, 168);
  assert.equal(f0.mean, 12.5 * 0.5 - 2);
  assert.equal(f1.mean, 22.5 * 0.5 - 2);
  assert.equal(f1.std, Math.sqrt(1.25) * 0.5);
  assert.equal(deriveFrameStats(v, 0).n, 210);
  const empty = deriveFrameStats(makeVolume({ fn: () => 0 }), 0, "nonzero");
  assert.equal(empty.n, 0);
  assert.ok(Number.isNaN(empty.mean));
});

Deno.test("derivePercentiles matches numpy's linear method on hand values", () => {
  const vals = Array.from({ length: 210 }, (_, i) => (i < 4 ? [3, 1, 4, 2][i] : 0));
  const v = fromValues(vals, "int16");
  // Nonzero voxels 1, 2, 3, 4: p25 = 1.75, p50 = 2.5, p0 = 1, p100 = 4.
  assert.deepEqual(derivePercentiles(v, 0, [0, 25, 50, 100], "nonzero"), [1, 1.75, 2.5, 4]);
  // All voxels: 206 zeros, then 1..4; p99 → virtual index 209 · 0.99 = 206.91, between 1 and 2.
  const p = derivePercentiles(v, 0, [99], "all")[0];
  assert.ok(Math.abs(p - 1.91) < 1e-12, String(p));
  // Negative slope reverses the order; stored 0.5 is real 0 and is masked out.
  const stored = Array.from({ length: 210 }, (_, i) => (i < 4 ? [0.75, 0.25, 1, 0.125][i] : 0.5));
  const f = fromValues(stored, "float32", { slope: -2, inter: 1 });
  // Real values -0.5, 0.5, -1, 0.75 → sorted -1, -0.5, 0.5, 0.75.
  assert.deepEqual(derivePercentiles(f, 0, [0, 25, 50, 100], "nonzero"), [-1, -0.625, 0, 0.75]);
  assert.deepEqual(derivePercentiles(makeVolume({ fn: () => 0 }), 0, [5], "nonzero"), [NaN]);
});

const NUMPY_CASES: { dtype: DType; slope: number; inter: number; gen: (r: number) => number }[] = [
  { dtype: "int16", slope: 1, inter: 0, gen: (r) => Math.floor(r * 4000) - 1000 },
  { dtype: "uint8", slope: 7.11, inter: -1024, gen: (r) => (r < 0.3 ? 144 : Math.floor(r * 256)) },
  { dtype: "int32", slope: -0.25, inter: 3, gen: (r) => Math.floor((r - 0.5) * 4e9) },
  { dtype: "float32", slope: 1, inter: 0, gen: (r) => (r < 0.2 ? 0 : r < 0.25 ? NaN : r * 1e3) },
  { dtype: "float64", slope: 2, inter: 0.5, gen: (r) => Math.tan(r * 3) },
];

Deno.test({
  name: "derivePercentiles matches numpy.nanpercentile on random volumes (histogram and select)",
  ignore: !HAVE_SCIPY,
  async fn() {
    const rng = createRng(2024);
    const qs = [0, 0.5, 2, 25, 50, 63.7, 99, 99.5, 100];
    for (const c of NUMPY_CASES) {
      const vals = Array.from({ length: 420 }, () => c.gen(rng.next()));
      const v = fromValues(vals, c.dtype, { slope: c.slope, inter: c.inter });
      for (const mask of ["all", "nonzero"] as VoxelMask[]) {
        for (const t of [0, 1]) {
          const real = Array.from(realValues(v, t), (x) => (Number.isNaN(x) ? null : x));
          const want = await runScipy(
            `a = np.array([np.nan if x is None else x for x in inp["a"]], dtype=np.float64)\n` +
              `a = a[a != 0] if inp["mask"] == "nonzero" else a\n` +
              `out = [float(x) for x in np.nanpercentile(a, inp["q"])]`,
            { a: real, q: qs, mask },
          ) as number[];
          const got = derivePercentiles(v, t, qs, mask);
          for (let i = 0; i < qs.length; i++) {
            const tol = 1e-12 * Math.max(1, Math.abs(want[i]));
            const msg = `${c.dtype} ${mask} frame ${t} q=${qs[i]}: ${got[i]} vs numpy ${want[i]}`;
            assert.ok(Math.abs(got[i] - want[i]) <= tol, msg);
          }
        }
      }
    }
  },
});
