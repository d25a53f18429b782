import assert from "node:assert/strict";
import { resampleToSize } from "../../../src/steps/spatial/resample_to_size.ts";
import { makeContext, makeSubject, makeVolume } from "../../_volumes.ts";
import { encodeForSave } from "../../../src/volume/encode.ts";

const label = () => makeVolume({ dtype: "uint8", fn: (i, j, k) => ((i >> 1) + j + 2 * k) % 4 });
const image = () =>
  makeVolume({ dtype: "int16", fn: (i, j, k) => Math.round(100 * Math.sin(i + 2 * j + 3 * k)) });

Deno.test("resampleToSize resamples every role; labels with nearest only, never antialiased", () => {
  const params = resampleToSize.params.parse({
    size: [9, 4, 11],
    interpolation: "bspline",
    antialias: true,
  });
  const subject = makeSubject({ image: image(), label: label() });
  const { subject: out, record } = resampleToSize.apply!(subject, params, makeContext());
  const [img, lab] = out.items;
  assert.deepEqual([...img.volume.shape, ...lab.volume.shape], [9, 4, 11, 9, 4, 11]);
  // SPEC §2: interpolated values stay real (float32) until save rounds them back to int16.
  assert.equal(img.volume.dtype, "float32");
  assert.equal(img.dtypeReason, undefined);
  assert.equal(encodeForSave(img, "auto").dtype, "int16");
  assert.equal(lab.volume.dtype, "uint8");
  assert.ok(lab.label);
  const seen = new Set(label().data as Uint8Array);
  for (const v of lab.volume.data as Uint8Array) assert.ok(seen.has(v), `label value ${v}`);
  const roles = (record as { roles: Record<string, Record<string, unknown>> }).roles;
  assert.equal(roles.image.interpolation, "bspline");
  assert.equal(roles.label.interpolation, "nearest");
  assert.equal(roles.label.antialias, false);
  assert.deepEqual(roles.image.shape, [9, 4, 11]);
});

Deno.test("resampleToSize keeps a null axis unchanged and does not mutate the input", () => {
  const input = image();
  const before = Int16Array.from(input.data as Int16Array);
  const params = resampleToSize.params.parse({ size: [null, 12, null], grid: "origin" });
  const { subject } = resampleToSize.apply!(makeSubject({ image: input }), params, makeContext());
  const v = subject.items[0].volume;
  assert.deepEqual(v.shape, [5, 12, 7]);
  for (let r = 0; r < 3; r++) {
    assert.equal(v.affine[r][0], input.affine[r][0]);
    assert.equal(v.affine[r][2], input.affine[r][2]);
    assert.equal(v.affine[r][3], input.affine[r][3]); // origin grid keeps the first centre
    assert.ok(Math.abs(v.affine[r][1] - input.affine[r][1] / 2) < 1e-12);
  }
  assert.deepEqual(input.data, before);
});

Deno.test("resampleToSize plan() predicts apply()'s shape, frames and affine", () => {
  const input = makeVolume({ frames: 2, dtype: "float32" });
  for (const grid of ["center", "origin", "corners"] as const) {
    const params = resampleToSize.params.parse({ size: [8, null, 3], grid });
    const planned = resampleToSize.plan!(input, params);
    const got = resampleToSize.apply!(makeSubject({ image: input }), params, makeContext());
    const v = got.subject.items[0].volume;
    assert.deepEqual(planned.shape, v.shape);
    assert.equal(v.frames, input.frames); // the frames share the grid: plan() has none to change
    assert.deepEqual(planned.affine, v.affine);
  }
});

Deno.test("resampleToSize params reject zero sizes, wrong arity and unknown keys", () => {
  assert.equal(resampleToSize.params.safeParse({ size: [0, 1, 1] }).success, false);
  assert.equal(resampleToSize.params.safeParse({ size: [1, 1] }).success, false);
  assert.equal(
    resampleToSize.params.safeParse({ size: [1, 1, 1], interp: "linear" }).success,
    false,
  );
  const p = resampleToSize.params.parse({ size: [1, 1, 1] });
  assert.deepEqual([p.interpolation, p.grid, p.antialias, p.fill], ["linear", "center", false, 0]);
});

Deno.test("resampleToSize warns with the NaN count when B-spline or antialias spreads NaN", () => {
  // SPEC §3: two NaN voxels make a B-spline output (almost) all NaN — never silently.
  const nan = makeVolume({
    shape: [9, 8, 7],
    dtype: "float32",
    fn: (i, j, k) => (i === 4 && j === 3 && (k === 2 || k === 5) ? NaN : i + j + k),
  });
  const run = (p: Record<string, unknown>) => {
    const ctx = makeContext();
    const warnings = ctx.warnings;
    const params = resampleToSize.params.parse({ size: [5, 11, 6], ...p });
    const out = resampleToSize.apply!(makeSubject({ image: nan }), params, ctx);
    const data = out.subject.items[0].volume.data as Float32Array;
    return { warnings, nanOut: data.filter((v) => Number.isNaN(v)).length, n: data.length };
  };
  const b = run({ interpolation: "bspline" });
  assert.ok(b.nanOut > b.n / 2, `${b.nanOut} of ${b.n} output voxels are NaN (test premise)`);
  assert.equal(b.warnings.length, 1);
  assert.match(b.warnings[0], /role "image" has 2 NaN voxels; the B-spline prefilter spreads NaN/);
  assert.match(
    run({ interpolation: "linear", antialias: true }).warnings[0],
    /2 NaN voxels; antialias smoothing/,
  );
  // Linear and nearest only touch neighbours: no warning.
  assert.deepEqual(run({ interpolation: "linear" }).warnings, []);
  assert.deepEqual(run({ interpolation: "nearest" }).warnings, []);
});
