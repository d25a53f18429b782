import assert from "node:assert/strict";
import type { Affine } from "../../src/volume/affine.ts";
import { describeGrid, gridCorners, gridMismatch } from "../../src/volume/grid_match.ts";
import { obliqueAffine } from "../_volumes.ts";

const shift = (a: Affine, d: readonly number[]): Affine =>
  a.map((row, r) => (r < 3 ? row.map((v, c) => (c === 3 ? v + d[r] : v)) : [...row]));

Deno.test("gridMismatch accepts one grid and corners within 1e-3 mm (SPEC §7)", () => {
  const a = { shape: [5, 6, 7] as const, affine: obliqueAffine() };
  assert.equal(gridMismatch(a, a), undefined);
  assert.equal(gridMismatch(a, { ...a, affine: shift(a.affine, [0.0006, 0, -0.0005]) }), undefined);
});

Deno.test("gridMismatch names a 5 mm shift, a spacing change and another shape", () => {
  const a = { shape: [5, 6, 7] as const, affine: obliqueAffine() };
  assert.equal(
    gridMismatch(a, { ...a, affine: shift(a.affine, [0, 5, 0]) }),
    "corners 5 mm apart (more than 0.001 mm)",
  );
  assert.match(
    gridMismatch(a, { ...a, affine: shift(a.affine, [0.002, 0, 0]) })!,
    /0\.002 mm apart/,
  );
  // Same origin, spacing 1.1 vs 1.1002 mm on y: the far corners drift 6 × 0.0002 = 0.0012 mm.
  const stretched = obliqueAffine([0.9, 1.1002, 2.5]);
  assert.match(gridMismatch(a, { ...a, affine: stretched })!, /^corners 0\.001 mm apart/);
  assert.equal(
    gridMismatch(a, { shape: [5, 6, 8], affine: a.affine }),
    "shapes differ (5x6x7 vs 5x6x8)",
  );
  const nan = a.affine.map((row) => [...row]);
  nan[0][3] = NaN;
  assert.match(gridMismatch(a, { ...a, affine: nan })!, /corners NaN/);
});

Deno.test("gridCorners are the outer voxel edges; describeGrid gives shape, spacing and two voxels", () => {
  const g = {
    shape: [2, 3, 4] as const,
    affine: [[2, 0, 0, 10], [0, 1, 0, 0], [0, 0, 0.5, -1], [0, 0, 0, 1]],
  };
  const corners = gridCorners(g);
  assert.deepEqual(corners[0], [9, -0.5, -1.25]);
  assert.deepEqual(corners[7], [13, 2.5, 0.75]);
  assert.equal(
    describeGrid(g),
    "2x3x4 @ 2x1x0.5 mm, voxel (0,0,0) at (10, 0, -1) mm, (1,2,3) at (12, 2, 0.5) mm",
  );
});
