import assert from "node:assert/strict";
import { applyNanPolicy, countNaN, nanSpreadWarning, replaceNaN } from "../../src/volume/nan.ts";
import { makeVolume } from "../_volumes.ts";

const withNaN = (slope = 1, inter = 0) =>
  makeVolume({
    dtype: "float32",
    slope,
    inter,
    fn: (i, j, k) => (i === 1 && j === 2 && (k === 3 || k === 5) ? NaN : i + j + k),
  });

Deno.test("countNaN counts NaN voxels of float storage and none of integer storage", () => {
  assert.equal(countNaN(withNaN()), 2);
  assert.equal(countNaN(makeVolume({ dtype: "int16" })), 0);
});

Deno.test("replaceNaN writes the raw value whose real value is 0 and returns the count", () => {
  const v = withNaN(2, 5);
  assert.equal(replaceNaN(v), 2);
  assert.equal(countNaN(v), 0);
  const at = 1 + 5 * (2 + 6 * 3);
  assert.equal(Number(v.data[at]) * v.slope + v.inter, 0);
  assert.equal(v.data[0], 0, "finite voxels untouched");
  assert.equal(replaceNaN(v), 0);
});

Deno.test("applyNanPolicy keeps, zeroes or fails with the count", () => {
  const keep = withNaN();
  assert.equal(applyNanPolicy(keep, "keep", 'role "image"'), 0);
  assert.equal(countNaN(keep), 2);
  const zero = withNaN();
  assert.equal(applyNanPolicy(zero, "zero", 'role "image"'), 2);
  assert.equal(countNaN(zero), 0);
  assert.throws(
    () => applyNanPolicy(withNaN(), "error", 'role "image" from "a.nii"'),
    /Cannot load role "image" from "a.nii": it has 2 NaN voxels/,
  );
  assert.equal(applyNanPolicy(makeVolume({ dtype: "float32" }), "error", "x"), 0);
});

Deno.test("nanSpreadWarning names the role and the NaN count, and is silent without NaN", () => {
  assert.match(
    nanSpreadWarning(withNaN(), "image", "the B-spline prefilter")!,
    /^role "image" has 2 NaN voxels; the B-spline prefilter spreads NaN/,
  );
  assert.equal(nanSpreadWarning(makeVolume({ dtype: "float32" }), "image", "x"), undefined);
});
