import assert from "node:assert/strict";
import { createDisplacementField } from "../../src/volume/elastic.ts";
import {
  composeStages,
  createCoordinateMap,
  isIntegralChain,
  pushForward,
  type Stage,
} from "../../src/volume/transform.ts";

const rot = (deg: number): number[] => {
  const a = (deg * Math.PI) / 180;
  return [Math.cos(a), -Math.sin(a), 0, 3, Math.sin(a), Math.cos(a), 0, 1, 0, 0, 1, 0];
};

Deno.test("composeStages merges neighbouring matrices and snaps near-integers", () => {
  const st: Stage[] = [{ kind: "matrix", m: rot(90) }, { kind: "matrix", m: rot(-90) }];
  const c = composeStages(st);
  // (rot(-90) after rot(90)) is a pure translation
  assert.equal(c.length, 1);
  assert.ok(c[0].kind === "matrix" && c[0].m.every(Number.isInteger));
  assert.ok(isIntegralChain(c));
  assert.equal(
    composeStages([{ kind: "matrix", m: rot(0).map((v, i) => (i % 4 === 3 ? 0 : v)) }]).length,
    0,
  );
  assert.ok(!isIntegralChain(composeStages([{ kind: "matrix", m: rot(30) }])));
});

Deno.test("createCoordinateMap applies the chain output-side first", () => {
  const field = createDisplacementField([4, 5, 6], [4, 4, 4], new Float64Array(192).fill(0.25));
  const chain: Stage[] = [{ kind: "field", field }, {
    kind: "matrix",
    m: [2, 0, 0, 1, 0, 1, 0, 0, 0, 0, 1, -1],
  }];
  const map = createCoordinateMap([4, 5, 6], chain);
  const xs = new Float64Array(4), ys = new Float64Array(4), zs = new Float64Array(4);
  map.row(2, 3, xs, ys, zs);
  assert.deepEqual([...xs], [0, 1, 2, 3].map((i) => 2 * (i + 0.25) + 1));
  assert.deepEqual([...ys], [2.25, 2.25, 2.25, 2.25]);
  assert.deepEqual([...zs], [2.25, 2.25, 2.25, 2.25]);
});

Deno.test("pushForward inverts the coordinate map", () => {
  const values = Float64Array.from({ length: 5 * 4 * 4 * 3 }, (_, q) => Math.sin(q) * 0.8);
  const field = createDisplacementField([9, 8, 7], [5, 4, 4], values);
  const chain: Stage[] = [{ kind: "field", field }, { kind: "matrix", m: rot(20) }];
  const map = createCoordinateMap([9, 8, 7], chain);
  const xs = new Float64Array(9), ys = new Float64Array(9), zs = new Float64Array(9);
  map.row(4, 3, xs, ys, zs);
  const back = pushForward(chain, [xs[6], ys[6], zs[6]]);
  assert.ok(Math.hypot(back[0] - 6, back[1] - 4, back[2] - 3) < 1e-6, `${back}`);
});

Deno.test("createCoordinateMap: a field after a whole-voxel shift equals point evaluation, off-grid too", () => {
  const values = Float64Array.from({ length: 5 * 4 * 6 * 3 }, (_, q) => Math.cos(q * 0.7));
  const field = createDisplacementField([9, 8, 7], [5, 4, 6], values);
  for (const off of [[2, 1, 3], [-2, -1, 2], [4, 3, 6]]) {
    const chain = composeStages([{
      kind: "matrix",
      m: [1, 0, 0, off[0], 0, 1, 0, off[1], 0, 0, 1, off[2]],
    }, {
      kind: "field",
      field,
    }]);
    const map = createCoordinateMap([6, 5, 4], chain);
    const xs = new Float64Array(6), ys = new Float64Array(6), zs = new Float64Array(6);
    const d = new Float64Array(3);
    for (let k = 0; k < 4; k++) {
      for (let j = 0; j < 5; j++) {
        map.row(j, k, xs, ys, zs);
        for (let i = 0; i < 6; i++) {
          const p = [i + off[0], j + off[1], k + off[2]];
          field.at(p[0], p[1], p[2], d);
          assert.ok(
            Math.abs(xs[i] - p[0] - d[0]) < 1e-12 && Math.abs(ys[i] - p[1] - d[1]) < 1e-12 &&
              Math.abs(zs[i] - p[2] - d[2]) < 1e-12,
          );
        }
      }
    }
  }
});
