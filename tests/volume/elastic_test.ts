import assert from "node:assert/strict";
import { createRng } from "../../src/random/rng.ts";
import { createDisplacementField } from "../../src/volume/elastic.ts";

function randomField(
  shape: [number, number, number],
  points: [number, number, number],
  max: number,
) {
  const rng = createRng(5);
  const values = Float64Array.from(
    { length: points[0] * points[1] * points[2] * 3 },
    () => rng.uniform(-max, max),
  );
  return createDisplacementField(shape, points, values);
}

function sampleGrid(shape: [number, number, number], f: ReturnType<typeof randomField>) {
  const out = new Float64Array(shape[0] * shape[1] * shape[2] * 3);
  const xs = new Float64Array(shape[0]),
    ys = new Float64Array(shape[0]),
    zs = new Float64Array(shape[0]);
  for (let k = 0; k < shape[2]; k++) {
    for (let j = 0; j < shape[1]; j++) {
      xs.fill(0), ys.fill(0), zs.fill(0);
      f.addRow(j, k, xs, ys, zs);
      for (let i = 0; i < shape[0]; i++) {
        const o = 3 * (i + shape[0] * (j + shape[1] * k));
        out[o] = xs[i], out[o + 1] = ys[i], out[o + 2] = zs[i];
      }
    }
  }
  return out;
}

Deno.test("createDisplacementField is bounded by the largest control displacement", () => {
  const shape: [number, number, number] = [21, 17, 13];
  const d = sampleGrid(shape, randomField(shape, [7, 5, 6], 4));
  let peak = 0;
  for (const v of d) peak = Math.max(peak, Math.abs(v));
  assert.ok(peak <= 4, `peak ${peak}`);
  assert.ok(peak > 0.5, "field is not trivially zero");
});

Deno.test("createDisplacementField is smooth: first and second differences bounded by the knot spacing", () => {
  const shape: [number, number, number] = [41, 9, 9];
  const points: [number, number, number] = [7, 4, 4];
  const d = sampleGrid(shape, randomField(shape, points, 4));
  const h = (shape[0] - 1) / (points[0] - 3); // voxels per knot along x
  let d1 = 0, d2 = 0;
  for (let k = 0; k < 9; k++) {
    for (let j = 0; j < 9; j++) {
      for (let i = 1; i < shape[0] - 1; i++) {
        const o = (ii: number) => 3 * (ii + 41 * (j + 9 * k));
        d1 = Math.max(d1, Math.abs(d[o(i + 1)] - d[o(i)]));
        d2 = Math.max(d2, Math.abs(d[o(i + 1)] - 2 * d[o(i)] + d[o(i - 1)]));
      }
    }
  }
  // |d'| ≤ 2·max/h and |d''| ≤ 4·max/h² for a cubic B-spline with coefficients in ±max
  assert.ok(d1 <= (2 * 4) / h + 1e-12, `first difference ${d1}`);
  assert.ok(d2 <= (4 * 4) / (h * h) + 1e-12, `second difference ${d2}`);
});

Deno.test("createDisplacementField rows agree with point evaluation, constants stay constant", () => {
  const shape: [number, number, number] = [8, 6, 5];
  const f = randomField(shape, [5, 6, 4], 3);
  const grid = sampleGrid(shape, f);
  const p = new Float64Array(3);
  for (const [i, j, k] of [[0, 0, 0], [7, 5, 4], [3, 2, 1], [5, 1, 4]]) {
    f.at(i, j, k, p);
    const o = 3 * (i + 8 * (j + 6 * k));
    for (let a = 0; a < 3; a++) assert.ok(Math.abs(p[a] - grid[o + a]) < 1e-12);
  }
  const c = createDisplacementField(shape, [4, 4, 4], new Float64Array(4 * 4 * 4 * 3).fill(1.5));
  c.at(2.7, 3.1, -4, p);
  for (let a = 0; a < 3; a++) assert.ok(Math.abs(p[a] - 1.5) < 1e-12);
  assert.throws(
    () => createDisplacementField(shape, [3, 4, 4], new Float64Array(144)),
    /control points/,
  );
});
