import assert from "node:assert/strict";
import {
  deriveAxisMap,
  deriveResampleGrid,
  insideFov,
  roundHalfEven,
} from "../../src/volume/grid.ts";
import { columnNorms } from "../../src/volume/affine.ts";
import { obliqueAffine } from "../_volumes.ts";

const coords = (n: number, m: number, grid: "center" | "origin" | "corners") => {
  const a = deriveAxisMap(n, 0.9, { size: m }, grid);
  return Array.from({ length: a.m }, (_, i) => a.coordinate(i));
};

Deno.test("deriveAxisMap places samples as the SPEC §3 table for each grid", () => {
  assert.deepEqual(coords(5, 2, "origin"), [0, 2.5]);
  assert.deepEqual(coords(5, 3, "corners"), [0, 2, 4]);
  assert.deepEqual(coords(4, 2, "center"), [0.5, 2.5]);
  assert.deepEqual(coords(5, 1, "corners"), [0]);
  assert.deepEqual(coords(3, 6, "center").map((x) => Math.round(x * 1e12) / 1e12), [
    -0.25,
    0.25,
    0.75,
    1.25,
    1.75,
    2.25,
  ]);
});

Deno.test("deriveAxisMap marks only exact index-preserving axes as identity", () => {
  for (const g of ["center", "origin", "corners"] as const) {
    assert.equal(deriveAxisMap(7, 1.1, { size: 7 }, g).identity, true, g);
    assert.equal(deriveAxisMap(7, 1.1, { size: 8 }, g).identity, false, g);
  }
  assert.equal(deriveAxisMap(7, 1.1, { spacing: 1.1 }, "center").identity, true);
  assert.equal(deriveAxisMap(7, 1.1, { size: null }, "origin").identity, true);
});

Deno.test("deriveAxisMap rounds M = N·s/t half to even for spacing targets", () => {
  assert.equal(deriveAxisMap(5, 1, { spacing: 2 }, "center").m, 2);
  assert.equal(deriveAxisMap(7, 1, { spacing: 2 }, "center").m, 4);
  assert.equal(deriveAxisMap(3, 1, { spacing: 100 }, "center").m, 1);
  assert.equal(roundHalfEven(2.5), 2);
  assert.equal(roundHalfEven(3.5), 4);
  assert.equal(roundHalfEven(-0.5), 0);
  assert.equal(roundHalfEven(2.4999), 2);
});

Deno.test("deriveResampleGrid keeps direction and shear, scales columns and moves the origin", () => {
  const affine = obliqueAffine();
  const grid = deriveResampleGrid([23, 19, 11], affine, {
    spacing: [1.4, null, 0.5],
    grid: "center",
  });
  const s = columnNorms(affine), t = columnNorms(grid.affine);
  assert.ok(Math.abs(t[0] - 1.4) < 1e-12 && Math.abs(t[1] - s[1]) < 1e-12);
  assert.ok(Math.abs(t[2] - 0.5) < 1e-12);
  for (let c = 0; c < 3; c++) {
    for (let r = 0; r < 3; r++) {
      assert.ok(Math.abs(grid.affine[r][c] / t[c] - affine[r][c] / s[c]) < 1e-12);
    }
  }
  // The centre of the field of view is kept on the center grid.
  const centre = (a: readonly (readonly number[])[], n: readonly number[], r: number) =>
    a[r][0] * (n[0] - 1) / 2 + a[r][1] * (n[1] - 1) / 2 + a[r][2] * (n[2] - 1) / 2 + a[r][3];
  for (let r = 0; r < 3; r++) {
    assert.ok(
      Math.abs(centre(grid.affine, grid.shape, r) - centre(affine, [23, 19, 11], r)) < 1e-9,
    );
  }
  assert.deepEqual(grid.shape, [Math.round(23 * s[0] / 1.4), 19, Math.round(11 * s[2] / 0.5)]);
});

Deno.test("insideFov counts the outer voxel edge, and 1e-4 voxel beyond it, as inside (SPEC §3)", () => {
  assert.equal(insideFov(-0.5, 4), true);
  assert.equal(insideFov(3.5, 4), true);
  assert.equal(insideFov(3.5 + 1e-7, 4), true);
  // float32 pixdims drift i·r by a few 1e-6 voxel on large grids: still inside
  assert.equal(insideFov(3.5 + 5e-6, 4), true);
  assert.equal(insideFov(-0.5 - 5e-6, 4), true);
  assert.equal(insideFov(3.5 + 0.99e-4, 4), true);
  assert.equal(insideFov(3.5 + 1.01e-4, 4), false);
  assert.equal(insideFov(-0.5 - 1.01e-4, 4), false);
});

Deno.test("deriveResampleGrid rejects outputs beyond MAX_VOXELS with a one-line reason", () => {
  assert.throws(
    () =>
      deriveResampleGrid([512, 512, 300], obliqueAffine(), {
        spacing: [0.01, 0.01, 0.01],
        grid: "center",
      }),
    /^RangeError: Cannot resample to \d+x\d+x\d+: \d+ voxels per volume is more than/,
  );
});

Deno.test("deriveAxisMap edge grid: M = ceil(N·s/t), x(i) = (r − 1)/2 + i·r, size-1 axes kept (SPEC §3)", () => {
  const a = deriveAxisMap(10, 1, { spacing: 3 }, "edge");
  assert.equal(a.m, 4); // ceil(3.33); round would give 3
  assert.deepEqual(Array.from({ length: a.m }, (_, i) => a.coordinate(i)), [1, 4, 7, 10]);
  const up = deriveAxisMap(5, 1, { spacing: 0.5 }, "edge");
  assert.equal(up.m, 10);
  assert.equal(up.coordinate(0), -0.25); // the outer edge of the first voxel is kept: −0.5
  assert.equal(deriveAxisMap(1, 2, { spacing: 0.5 }, "edge").m, 1);
  assert.equal(deriveAxisMap(8, 1, { spacing: 1 }, "edge").identity, true);
  assert.throws(() => deriveAxisMap(8, 1, { size: 4 }, "edge"), /defined by a spacing/);
});
