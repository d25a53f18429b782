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
  {
    dtype: "float32",
    slope: 1,
    inter: 0,
    gen: (r) => (r < 0.1 ? -0 : Math.round((r - 0.6) * 50) / 7),
  },
  { dtype: "uint32", slope: 1e-3, inter: 0, gen: (r) => Math.floor(r * 4294967295) },
];

/** numpy's linear percentile by a full sort (reference for the selection code). */
function sortedPercentile(values: number[], q: number): number {
  const a = values.filter((v) => !Number.isNaN(v)).sort((x, y) => x - y);
  const pos = (a.length - 1) * (q / 100), f = Math.floor(pos);
  if (f >= a.length - 1) return a[a.length - 1];
  const g = pos - f, d = a[f + 1] - a[f];
  return g >= 0.5 ? a[f + 1] - d * (1 - g) : a[f] + d * g;
}

Deno.test("derivePercentiles agrees with a full sort on every storage type", () => {
  const rng = createRng(99);
  const dtypes: DType[] = ["uint8", "int8", "int16", "uint16", "int32", "float32", "float64"];
  for (const dtype of dtypes) {
    const frames = 9;
    const span = dtype === "uint8" || dtype === "int8" ? 100 : 3e4;
    const v = makeVolume({
      dtype,
      frames,
      slope: dtype === "int8" ? -1.5 : 1,
      fn: () => (rng.next() < 0.3
        ? 7
        : Math.round(rng.next() * span) - (dtype[0] === "u" ? 0 : span / 2)),
    });
    for (let t = 0; t < frames; t++) {
      const real = [...realValues(v, t)];
      const qs = [0, 1, 12.5, 50, 77.7, 99.9, 100];
      const got = derivePercentiles(v, t, qs);
      qs.forEach((q, i) => assert.equal(got[i], sortedPercentile(real, q), `${dtype} ${t} ${q}`));
    }
  }
});

Deno.test({
  name: "derivePercentiles matches numpy.nanpercentile on random volumes (histogram and radix)",
  ignore: !HAVE_SCIPY,
  async fn() {
    const rng = createRng(2024);
    const qs = [0, 0.5, 2, 25, 50, 63.7, 99, 99.5, 100];
    const runs: { label: string; got: number[]; a: (number | null)[]; mask: VoxelMask }[] = [];
    for (const c of NUMPY_CASES) {
      const vals = Array.from({ length: 420 }, () => c.gen(rng.next()));
      const v = fromValues(vals, c.dtype, { slope: c.slope, inter: c.inter });
      for (const mask of ["all", "nonzero"] as VoxelMask[]) {
        for (const t of [0, 1]) {
          const a = Array.from(realValues(v, t), (x) => (Number.isNaN(x) ? null : x));
          const got = derivePercentiles(v, t, qs, mask);
          runs.push({ label: `${c.dtype} ${mask} frame ${t}`, got, a, mask });
        }
      }
    }
    const want = await runScipy(
      `def pct(r):\n` +
        `    a = np.array([np.nan if x is None else x for x in r["a"]], dtype=np.float64)\n` +
        `    a = a[a != 0] if r["mask"] == "nonzero" else a\n` +
        `    return [float(x) for x in np.nanpercentile(a, inp["q"])]\n` +
        `out = [pct(r) for r in inp["runs"]]`,
      { q: qs, runs: runs.map(({ a, mask }) => ({ a, mask })) },
    ) as number[][];
    runs.forEach((run, r) => {
      for (let i = 0; i < qs.length; i++) {
        const tol = 1e-12 * Math.max(1, Math.abs(want[r][i]));
        const msg = `${run.label} q=${qs[i]}: ${run.got[i]} vs numpy ${want[r][i]}`;
        assert.ok(Math.abs(run.got[i] - want[r][i]) <= tol, msg);
      }
    });
  },
});
