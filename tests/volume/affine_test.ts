import assert from "node:assert/strict";
import {
  deriveOrientation,
  invertAffine,
  isSheared,
  multiplyAffine,
} from "../../src/volume/affine.ts";
import { obliqueAffine } from "../_volumes.ts";

const toAffine = (m: number[][]) => [...m.map((r, i) => [...r, i * 3 - 2]), [0, 0, 0, 1]];

Deno.test("deriveOrientation gives the usual codes for axis-aligned affines", () => {
  assert.equal(deriveOrientation([[-2, 0, 0, 0], [0, 2, 0, 0], [0, 0, 2, 0], [0, 0, 0, 1]]), "LAS");
  assert.equal(
    deriveOrientation([[0, 0, 1, 0], [-1, 0, 0, 0], [0, -3, 0, 0], [0, 0, 0, 1]]),
    "PIR",
  );
  assert.equal(deriveOrientation(obliqueAffine()), "RAS");
  assert.equal(deriveOrientation([[0, 0, 1, 0], [0, 1, 0, 0], [0, 0, 0, 0], [0, 0, 0, 1]]), "?AR");
});

Deno.test("deriveOrientation matches nibabel aff2axcodes on sheared affines (polar factor, axes in order)", () => {
  // Expected codes computed with nibabel 5.0 aff2axcodes; a greedy pick over the largest
  // normalised entries (the previous implementation) got every one of these wrong.
  const cases: [number[][], string][] = [
    [[[0.113, -1.53, -0.478], [-0.979, -0.809, 1.061], [-0.808, -0.033, 0.884]], "ILA"],
    [[[-1.278, 1.257, -0.154], [0.966, 0.013, -0.694], [-0.327, -0.56, 0.008]], "LIP"],
    [[[-0.602, 0.043, -1.912], [-3.708, -0.186, -2.159], [-4.026, 0.564, -0.136]], "PSL"],
    [[[-4.033, 2.268, 1.214], [2.035, 0.967, 0.139], [0.478, -0.364, -0.256]], "ARI"],
    [[[1.51, 0.042, -0.76], [-3.305, -0.041, 1.918], [-1.17, -0.14, -0.485]], "PIL"],
    [[[-1.107, 1.28, -0.905], [1.081, 1.524, 0.259], [0.553, 1.952, -0.197]], "SAL"],
  ];
  for (const [m, codes] of cases) {
    assert.equal(deriveOrientation(toAffine(m)), codes, JSON.stringify(m));
  }
});

Deno.test("invertAffine and multiplyAffine compose to the identity", () => {
  const a = obliqueAffine();
  const p = multiplyAffine(a, invertAffine(a));
  for (let r = 0; r < 4; r++) {
    for (let c = 0; c < 4; c++) assert.ok(Math.abs(p[r][c] - (r === c ? 1 : 0)) < 1e-12);
  }
});

Deno.test("isSheared is false for diagonal, oblique and float32-rounded rigid affines, true beyond 1e-6", () => {
  assert.equal(isSheared([[-2, 0, 0, 1], [0, 3, 0, 2], [0, 0, 4, 3], [0, 0, 0, 1]]), false);
  assert.equal(isSheared(obliqueAffine()), false);
  assert.equal(isSheared(obliqueAffine().map((r) => r.map(Math.fround))), false);
  assert.equal(isSheared([[1, 0.3, 0, -5], [0, 1, 0, 4], [0, 0, 2, 7], [0, 0, 0, 1]]), true);
  // cos of the angle between columns 0 and 2: 1e-5 (sheared) vs 1e-7 (rigid within tolerance)
  assert.equal(isSheared([[1, 0, 1e-5, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]), true);
  assert.equal(isSheared([[1, 0, 1e-7, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]), false);
  // relative: a 1000 mm column does not make a tiny absolute dot product count
  assert.equal(isSheared([[1000, 0, 0, 0], [0.0001, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]), false);
  assert.equal(isSheared([[1, 0, 0, 0], [0, 0, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]), false);
});
