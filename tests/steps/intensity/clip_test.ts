import assert from "node:assert/strict";
import { clip } from "../../../src/steps/intensity/clip.ts";
import { derivePercentiles, realValues } from "../../../src/volume/stats.ts";
import { itemOf, makeContext, makeSubject, makeVolume } from "../../_volumes.ts";

function run(image: ReturnType<typeof makeVolume>, raw: Record<string, unknown>) {
  const subject = makeSubject({
    image,
    label: makeVolume({ dtype: "uint8", fn: (i, j) => (i + j) % 3 }),
  });
  const ctx = makeContext();
  const params = clip.params.parse(raw);
  const result = clip.apply!(subject, params, ctx);
  return { subject, result, out: itemOf(result.subject, "image"), ctx };
}

Deno.test("clip keeps int16 storage when the bounds are exact stored values", () => {
  const image = makeVolume(); // int16, stored = real = i + 10j + 100k (0..654)
  const before = image.data.slice();
  const { subject, result, out } = run(image, { min: 100, max: 500 });
  assert.equal(out.volume.dtype, "int16");
  assert.equal(out.dtypeReason, undefined);
  assert.notEqual(out.volume, image);
  assert.deepEqual(image.data, before, "input not mutated");
  const src = realValues(image, 0), got = realValues(out.volume, 0);
  let changed = 0;
  for (let i = 0; i < src.length; i++) {
    assert.equal(got[i], Math.min(500, Math.max(100, src[i])));
    if (got[i] !== src[i]) changed++;
  }
  assert.deepEqual(out.volume.affine, image.affine);
  assert.equal(itemOf(result.subject, "label"), itemOf(subject, "label"), "label untouched");
  assert.deepEqual(result.record, {
    roles: { image: { dtype: "int16", frames: [{ min: 100, max: 500, clamped: changed }] } },
  });
});

Deno.test("clip switches to float32 when a bound is not representable (scaled uint8 CT)", () => {
  // Real = raw · 7.11 − 1024: −1000 and 1000 fall between stored steps.
  const image = makeVolume({
    dtype: "uint8",
    slope: 7.11,
    inter: -1024,
    fn: (i, j, k) => (i * 37 + j * 11 + k * 5) % 256,
  });
  const { out } = run(image, { min: -1000, max: 1000 });
  assert.equal(out.volume.dtype, "float32");
  assert.equal(out.volume.slope, 1);
  assert.equal(out.volume.inter, 0);
  assert.equal(
    out.dtypeReason,
    "clip bounds not representable in uint8 with slope 7.11, inter -1024",
  );
  const src = realValues(image, 0);
  for (let i = 0; i < src.length; i++) {
    assert.equal(out.volume.data[i], Math.fround(Math.min(1000, Math.max(-1000, src[i]))));
  }
});

Deno.test("clip keeps scaled integer storage for bounds on stored steps or beyond the type", () => {
  const image = makeVolume({ dtype: "uint8", slope: 2, inter: -10, fn: (i, j) => i + 40 * j });
  // −2000 is below every storable value (clamps nothing); 90 = 50 · 2 − 10 (rows j ≥ 2 clamp).
  const { out, result } = run(image, { min: -2000, max: 90 });
  assert.equal(out.volume.dtype, "uint8");
  assert.equal(out.volume.slope, 2);
  assert.equal(out.volume.data[5 * 2], 50, "stored 80 clamped to 50");
  assert.equal(out.volume.data[5 + 1], 41);
  const frames = (result.record!.roles as Record<string, { frames: unknown[] }>).image.frames;
  assert.deepEqual(frames[0], { min: -2000, max: 90, clamped: 4 * 5 * 7 });
  const half = run(makeVolume(), { max: 10.5 }).out;
  assert.equal(half.volume.dtype, "float32");
  assert.equal(half.volume.data[209], 10.5);
});

Deno.test("clip with min only leaves the top open (null in the record)", () => {
  const { out, result } = run(makeVolume(), { min: 300 });
  assert.equal(out.volume.data[0], 300);
  assert.equal(out.volume.data[209], 654);
  const image = (result.record!.roles as Record<string, { frames: { max: unknown }[] }>).image;
  assert.equal(image.frames[0].max, null);
});

Deno.test("clip with percentiles uses per-frame bounds over nonzero voxels (4D)", () => {
  const image = makeVolume({
    frames: 2,
    fn: (i, j, k, t) => (i === 0 ? 0 : (i * 7 + j * 13 + k * 29) * (t + 1)),
  });
  const { out, result } = run(image, { percentiles: [5, 95], mask: "nonzero" });
  const frames =
    (result.record!.roles as Record<string, { frames: { min: number; max: number }[] }>)
      .image.frames;
  for (const t of [0, 1]) {
    const [lo, hi] = derivePercentiles(image, t, [5, 95], "nonzero");
    assert.equal(frames[t].min, lo);
    assert.equal(frames[t].max, hi);
    const src = realValues(image, t), got = realValues(out.volume, t);
    for (let i = 0; i < src.length; i++) {
      const want = src[i] === 0 ? 0 : Math.min(hi, Math.max(lo, src[i]));
      assert.ok(Math.abs(got[i] - want) < 1e-3);
    }
  }
  assert.notEqual(frames[0].max, frames[1].max);
  assert.ok(frames[0].min > 0, "zeros excluded from the percentiles");
  // Hand value: frame 0 nonzero values sorted, 5th percentile by numpy's linear rule.
  const vals: number[] = [];
  for (let k = 0; k < 7; k++) {
    for (let j = 0; j < 6; j++) for (let i = 1; i < 5; i++) vals.push(i * 7 + j * 13 + k * 29);
  }
  vals.sort((a, b) => a - b);
  const pos = (vals.length - 1) * 0.05, f = Math.floor(pos);
  assert.ok(Math.abs(frames[0].min - (vals[f] + (vals[f + 1] - vals[f]) * (pos - f))) < 1e-9);
});

Deno.test("clip warns and leaves a frame unclipped when its mask is empty", () => {
  const { out, ctx } = run(makeVolume({ fn: () => 0 }), { percentiles: [1, 99], mask: "nonzero" });
  assert.equal(ctx.warnings.length, 1);
  assert.match(ctx.warnings[0], /role "image" frame 0 has no nonzero voxels/);
  assert.equal(out.volume.dtype, "int16");
});

Deno.test("clip params reject a mask without percentiles, reversed bounds and infinities", () => {
  assert.equal(clip.params.safeParse({ min: 0, max: 1, mask: "nonzero" }).success, false);
  assert.equal(clip.params.safeParse({ min: 2, max: 1 }).success, false);
  assert.equal(clip.params.safeParse({ percentiles: [99, 1] }).success, false);
  assert.equal(clip.params.safeParse({ min: -Infinity }).success, false);
  assert.equal(clip.params.safeParse({}).success, false);
  assert.equal(clip.params.safeParse({ percentiles: [0.5, 99.5], mask: "nonzero" }).success, true);
});

Deno.test("clip with mask nonzero leaves zero voxels at 0 (stored and float32 paths)", () => {
  const fn = (i: number, j: number, k: number) => (i === 0 ? 0 : 100 + i * 7 + j * 13 + k * 29);
  for (const [slope, inter] of [[1, 0], [0.5, 0], [2, -200]]) {
    // With inter -200, stored 100 is real 0; other stored zeros are real -200 and get clipped.
    const image = makeVolume({ fn, slope, inter });
    const { out } = run(image, { percentiles: [10, 90], mask: "nonzero" });
    const src = realValues(image, 0), got = realValues(out.volume, 0);
    const [lo, hi] = derivePercentiles(image, 0, [10, 90], "nonzero");
    for (let i = 0; i < src.length; i++) {
      const want = src[i] === 0 ? 0 : Math.min(hi, Math.max(lo, src[i]));
      assert.ok(Math.abs(got[i] - want) < 1e-3, `slope ${slope} voxel ${i}: ${got[i]} vs ${want}`);
    }
  }
  const float = makeVolume({ dtype: "float32", fn });
  const { out } = run(float, { percentiles: [10, 90.5], mask: "nonzero" });
  assert.equal(realValues(out.volume, 0)[0], 0);
});
