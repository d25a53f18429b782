import assert from "node:assert/strict";
import {
  deriveQformParams,
  matrixToQuaternion,
  quaternionToMatrix,
} from "../../src/volume/quaternion.ts";
import { orthogonalFactor } from "../../src/volume/polar.ts";
import { obliqueAffine } from "../_volumes.ts";

const near = (a: number, b: number, tol = 1e-12) => Math.abs(a - b) <= tol;

Deno.test("quaternionToMatrix and matrixToQuaternion are inverse for rotations (a ≥ 0)", () => {
  const h = Math.SQRT1_2;
  assert.deepEqual(quaternionToMatrix(1, 0, 0, 0), [[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
  const rz = quaternionToMatrix(h, 0, 0, h); // 90° about z
  [[0, -1, 0], [1, 0, 0], [0, 0, 1]].forEach((row, r) =>
    row.forEach((v, c) => assert.ok(near(rz[r][c], v), `rz[${r}][${c}]`))
  );
  for (const q of [[0.3, 0.5, -0.1, 0.8], [0, 1, 0, 0], [0.01, -0.7, 0.7, 0.1]]) {
    const n = Math.hypot(...q);
    const back = matrixToQuaternion(quaternionToMatrix(q[0], q[1], q[2], q[3]));
    q.forEach((x, i) => assert.ok(near(back[i], x / n, 1e-9), `${q} → ${back}`));
  }
});

Deno.test("orthogonalFactor returns the closest orthogonal matrix (identity part of a shear)", () => {
  const r = orthogonalFactor([[2, 0, 0], [0, 3, 0], [0, 0, 0.5]])!;
  assert.deepEqual(r.map((row) => row.map((x) => Math.round(x * 1e12) / 1e12)), [[1, 0, 0], [
    0,
    1,
    0,
  ], [0, 0, 1]]);
  assert.equal(orthogonalFactor([[1, 0, 0], [0, 1, 0], [0, 0, 0]]), null);
  const q = orthogonalFactor([[1, 0.3, 0], [0, 1, 0], [0, 0, 1]])!;
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      const dot = q[0][i] * q[0][j] + q[1][i] * q[1][j] + q[2][i] * q[2][j];
      assert.ok(near(dot, i === j ? 1 : 0, 1e-12));
    }
  }
});

Deno.test("deriveQformParams rebuilds an oblique rigid affine from quaternion, qfac and zooms", () => {
  for (const flip of [1, -1]) {
    const a = obliqueAffine().map((row) => [...row]);
    for (let r = 0; r < 3; r++) a[r][2] *= flip; // flip → det < 0 → qfac −1
    const p = deriveQformParams(a);
    assert.equal(p.qfac, flip);
    const [b, c, d] = p.quatern;
    const rot = quaternionToMatrix(Math.sqrt(Math.max(0, 1 - b * b - c * c - d * d)), b, c, d);
    const z = [p.zooms[0], p.zooms[1], p.zooms[2] * p.qfac];
    for (let r = 0; r < 3; r++) {
      for (let k = 0; k < 3; k++) assert.ok(near(rot[r][k] * z[k], a[r][k], 1e-9), `[${r}][${k}]`);
      assert.equal(p.qoffset[r], a[r][3]);
    }
    [0.9, 1.1, 2.5].forEach((s, i) => assert.ok(near(p.zooms[i], s)));
  }
});
