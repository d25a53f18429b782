import assert from "node:assert/strict";
import { columnNorms } from "../../src/volume/affine.ts";
import { deriveResampleGrid } from "../../src/volume/grid.ts";

// A column whose float64 norm is 1.5 by Math.hypot but 1.5000000000000002 by √(x² + y²),
// the order nibabel's voxel_sizes (and numpy) sum in.
const X = 0.5061, Y = 1.4120420638210465;
const AFFINE = [[X, -Y / 1.5, 0, 3], [Y, X / 1.5, 0, -2], [0, 0, 0.8, 1], [0, 0, 0, 1]];

Deno.test("columnNorms sums squares in nibabel's order (√(x² + y² + z²))", () => {
  assert.equal(columnNorms(AFFINE)[0], Math.sqrt(X * X + Y * Y));
  assert.equal(columnNorms(AFFINE)[0], 1.5000000000000002);
});

Deno.test("deriveResampleGrid rounds N·s/t like numpy at a near-tie of the spacing", () => {
  // numpy: round(5 * 1.5000000000000002 / 3) = round(2.5000000000000004) = 3
  const grid = deriveResampleGrid([5, 4, 3], AFFINE, { spacing: [3, null, null], grid: "center" });
  assert.deepEqual(grid.shape, [3, 4, 3]);
});
