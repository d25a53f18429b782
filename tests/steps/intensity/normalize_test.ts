import assert from "node:assert/strict";
import { normalize } from "../../../src/steps/intensity/normalize.ts";
import type { Volume } from "../../../src/volume/volume.ts";
import { realValues } from "../../../src/volume/stats.ts";
import { itemOf, makeContext, makeSubject, makeVolume } from "../../_volumes.ts";

function run(image: Volume, raw: Record<string, unknown>) {
  const subject = makeSubject({
    image,
    label: makeVolume({ dtype: "uint8", fn: (i, j) => (i + j) % 3 }),
  });
  const ctx = makeContext();
  const result = normalize.apply!(subject, normalize.params.parse(raw), ctx);
  const record = result.record as { method: string; roles: Record<string, { frames: unknown[] }> };
  return { subject, result, record, out: itemOf(result.subject, "image"), ctx };
}

function meanStd(values: number[]): [number, number] {
  const m = values.reduce((a, b) => a + b, 0) / values.length;
  return [m, Math.sqrt(values.reduce((a, b) => a + (b - m) ** 2, 0) / values.length)];
}

Deno.test("normalize zscore over nonzero voxels: mean 0, std 1 inside, zeros stay 0", () => {
  const image = makeVolume({
    slope: 0.5,
    inter: 0,
    fn: (i, j, k) => (i === 0 || k === 6 ? 0 : 40 + i * 3 + j * j - k),
  });
  const before = image.data.slice();
  const { subject, result, out, record, ctx } = run(image, { method: "zscore", mask: "nonzero" });
  assert.equal(out.volume.dtype, "float32");
  assert.equal(out.volume.slope, 1);
  assert.equal(out.dtypeReason, "normalize (zscore) made values fractional");
  const src = realValues(image, 0), got = realValues(out.volume, 0);
  const inside: number[] = [];
  for (let i = 0; i < src.length; i++) {
    if (src[i] === 0) assert.equal(got[i], 0);
    else inside.push(got[i]);
  }
  const [m, s] = meanStd(inside);
  assert.ok(Math.abs(m) < 1e-6 && Math.abs(s - 1) < 1e-6, `${m} ${s}`);
  const [wm, ws] = meanStd([...src].filter((v) => v !== 0));
  const f = record.roles.image.frames[0] as { mean: number; std: number; n: number };
  assert.equal(f.n, 4 * 6 * 6);
  assert.ok(Math.abs(f.mean - wm) < 1e-12 && Math.abs(f.std - ws) < 1e-12);
  assert.equal(record.method, "zscore");
  assert.deepEqual(ctx.warnings, []);
  assert.deepEqual(image.data, before, "input not mutated");
  assert.equal(itemOf(result.subject, "label"), itemOf(subject, "label"), "label untouched");
  assert.deepEqual(out.volume.affine, image.affine);
});

Deno.test("normalize zscore computes statistics per 4D frame", () => {
  const image = makeVolume({ frames: 2, fn: (i, j, k, t) => (i + j + k) * (t * 9 + 1) + t * 500 });
  const { out, record } = run(image, { method: "zscore" });
  for (const t of [0, 1]) {
    const [m, s] = meanStd([...realValues(out.volume, t)]);
    assert.ok(Math.abs(m) < 1e-6 && Math.abs(s - 1) < 1e-6, `frame ${t}: ${m} ${s}`);
  }
  const frames = record.roles.image.frames as { mean: number }[];
  assert.ok(Math.abs(frames[1].mean - (frames[0].mean * 10 + 500)) < 1e-9);
});

Deno.test("normalize zscore with std 0 writes 0 and warns; NaN stays NaN", () => {
  const image = makeVolume({ dtype: "float32", fn: (i) => (i === 2 ? NaN : 7) });
  const { out, ctx } = run(image, { method: "zscore" });
  assert.equal(ctx.warnings.length, 1);
  assert.match(ctx.warnings[0], /role "image" frame 0: std is 0; output set to 0/);
  assert.equal(out.volume.data[0], 0);
  assert.ok(Number.isNaN(out.volume.data[2]));
});

Deno.test("normalize minmax maps [min, max] onto range; constant images give range[0]", () => {
  const image = makeVolume({ dtype: "int16", slope: 2, inter: -100 });
  const { out, record } = run(image, { method: "minmax", range: [-1, 1] });
  const got = realValues(out.volume, 0), src = realValues(image, 0);
  assert.equal(got[0], -1);
  assert.equal(got[209], 1);
  for (let i = 0; i < src.length; i++) {
    assert.ok(Math.abs(got[i] - (-1 + (2 * (src[i] + 100)) / 1308)) < 1e-6);
  }
  assert.deepEqual(record.roles.image.frames[0], { min: -100, max: 1208, n: 210 });
  const flat = run(makeVolume({ fn: () => 5 }), { method: "minmax", range: [2, 3] });
  assert.equal(flat.out.volume.data[100], 2);
  assert.match(flat.ctx.warnings[0], /min = max = 5; output set to range\[0\] = 2/);
  const nan = run(makeVolume({ dtype: "float32", fn: () => NaN }), { method: "minmax" });
  assert.match(nan.ctx.warnings[0], /no values \(all NaN\)/);
  assert.ok(Number.isNaN(nan.out.volume.data[7]));
});

Deno.test("normalize window maps from onto to and clamps when clip is true", () => {
  const image = makeVolume({ fn: (i, j, k) => -1500 + i * 100 + j * 300 + k * 200 });
  const clipped = run(image, { method: "window", from: [-1000, 1000] });
  const open = run(image, { method: "window", from: [-1000, 1000], to: [0, 255], clip: false });
  const src = realValues(image, 0);
  let outside = 0;
  for (let i = 0; i < src.length; i++) {
    const x = (src[i] + 1000) / 2000;
    if (x < 0 || x > 1) outside++;
    assert.equal(clipped.out.volume.data[i], Math.fround(Math.min(1, Math.max(0, x))));
    assert.equal(open.out.volume.data[i], Math.fround(x * 255));
  }
  assert.ok(outside > 0);
  assert.deepEqual(clipped.record.roles.image.frames, [{ clamped: outside }]);
  assert.deepEqual(open.record.roles.image.frames, [{ clamped: 0 }]);
});

Deno.test("normalize params reject an empty window and unknown keys", () => {
  assert.equal(normalize.params.safeParse({ method: "window", from: [5, 1] }).success, false);
  assert.equal(normalize.params.safeParse({ method: "zscore", range: [0, 1] }).success, false);
  const p = normalize.params.parse({ method: "window", from: [-1000, 1000] });
  assert.deepEqual(p, { method: "window", from: [-1000, 1000], to: [0, 1], clip: true });
});

/** numpy's default ('linear') percentile of `values`. */
function npPercentile(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  const h = (s.length - 1) * q / 100, lo = Math.floor(h);
  return lo + 1 < s.length ? s[lo] + (s[lo + 1] - s[lo]) * (h - lo) : s[lo];
}

Deno.test("normalize zscore clipPercentiles per subject: percentiles of the mask's voxels, per frame", () => {
  const image = makeVolume({
    frames: 2,
    fn: (i, j, k, t) => (i === 1 ? 0 : ((i * 7 + j * 13 + k * 5 + t * 3) % 31) * (t + 1) - 4),
  });
  for (const mask of ["label", "nonzero"]) {
    const { subject, out, record } = run(image, {
      method: "zscore",
      mask,
      clipPercentiles: [10, 90],
    });
    const label = realValues(itemOf(subject, "label").volume, 0);
    for (const t of [0, 1]) {
      const src = [...realValues(image, t)];
      const inMask = (v: number, i: number) => (mask === "label" ? label[i] !== 0 : v !== 0);
      const sel = src.filter(inMask);
      const f = record.roles.image.frames[t] as Record<string, number>;
      const [lo, hi] = [npPercentile(sel, 10), npPercentile(sel, 90)];
      assert.ok(Math.abs(f.clipMin - lo) < 1e-12 && Math.abs(f.clipMax - hi) < 1e-12, mask);
      assert.equal(f.n, sel.length);
      const got = realValues(out.volume, t);
      src.forEach((v, i) => {
        if (!inMask(v, i)) return;
        const z = (Math.min(Math.max(v, lo), hi) - f.mean) / f.std;
        assert.ok(Math.abs(got[i] - z) < 1e-5, `${mask} frame ${t} voxel ${i}: ${got[i]} ${z}`);
      });
    }
  }
});
