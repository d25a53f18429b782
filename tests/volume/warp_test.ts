import assert from "node:assert/strict";
import { createCoordinateMap } from "../../src/volume/transform.ts";
import { type CoordinateMap, warp } from "../../src/volume/warp.ts";
import { HAVE_SCIPY, runScipy } from "./_scipy.ts";

const SHAPE: [number, number, number] = [5, 6, 7];
const N = 5 * 6 * 7;
const ramp = Float32Array.from({ length: N }, (_, q) => Math.sin(q * 0.37) * 40 + q);

/** A map sending every output voxel of `shape` to the constant input index p. */
function constantMap(shape: [number, number, number], p: number[]): CoordinateMap {
  return {
    shape,
    row(_j, _k, xs, ys, zs) {
      xs.fill(p[0]);
      ys.fill(p[1]);
      zs.fill(p[2]);
    },
  };
}

const at = (i: number, j: number, k: number) => ramp[i + 5 * (j + 6 * k)];

Deno.test("warp with the identity map returns the input exactly (nearest, linear, bspline)", () => {
  const src = { data: ramp, shape: SHAPE, frames: 1 };
  for (const interpolation of ["nearest", "linear"] as const) {
    const out = new Float32Array(N);
    warp(src, createCoordinateMap(SHAPE, []), out, { interpolation, fill: 0 });
    assert.deepEqual(out, ramp);
  }
  const out = new Float64Array(N);
  warp(src, createCoordinateMap(SHAPE, []), out, { interpolation: "bspline", fill: 0 });
  for (let q = 0; q < N; q++) assert.ok(Math.abs(out[q] - ramp[q]) < 1e-9);
});

Deno.test("warp linear interpolates trilinearly and clamps neighbours at the edge", () => {
  const src = { data: ramp, shape: SHAPE, frames: 1 };
  const out = new Float64Array(1);
  warp(src, constantMap([1, 1, 1], [1.25, 2.5, 3.75]), out, { interpolation: "linear", fill: 0 });
  const lerp = (a: number, b: number, t: number) => a + (b - a) * t;
  const plane = (k: number) =>
    lerp(lerp(at(1, 2, k), at(2, 2, k), 0.25), lerp(at(1, 3, k), at(2, 3, k), 0.25), 0.5);
  assert.ok(Math.abs(out[0] - lerp(plane(3), plane(4), 0.75)) < 1e-9);
  warp(src, constantMap([1, 1, 1], [-0.4, 0, 6.3]), out, { interpolation: "linear", fill: 0 });
  assert.ok(Math.abs(out[0] - at(0, 0, 6)) < 1e-9);
});

Deno.test("warp fills outside [-0.5 - 1e-4, N - 0.5 + 1e-4] and keeps samples on the outer edge", () => {
  const src = { data: ramp, shape: SHAPE, frames: 1 };
  const out = new Float64Array(1);
  for (const interpolation of ["nearest", "linear", "bspline"] as const) {
    warp(src, constantMap([1, 1, 1], [-0.5, 2, 3]), out, { interpolation, fill: -7 });
    assert.notEqual(out[0], -7, interpolation);
    warp(src, constantMap([1, 1, 1], [4.5, 5.5, 6.5]), out, { interpolation, fill: -7 });
    assert.notEqual(out[0], -7, interpolation);
    warp(src, constantMap([1, 1, 1], [2, -0.5002, 3]), out, { interpolation, fill: -7 });
    assert.equal(out[0], -7, interpolation);
    warp(src, constantMap([1, 1, 1], [2, 3, 6.5002]), out, { interpolation, fill: -7 });
    assert.equal(out[0], -7, interpolation);
  }
});

Deno.test("warp nearest takes floor(x + 0.5)", () => {
  const src = { data: ramp, shape: SHAPE, frames: 1 };
  const out = new Float64Array(1);
  warp(src, constantMap([1, 1, 1], [1.5, 2.49, 3.51]), out, { interpolation: "nearest", fill: 0 });
  assert.equal(out[0], at(2, 2, 4));
});

Deno.test({
  name: "warp bspline and linear agree with scipy map_coordinates (order 3 mirror, order 1)",
  ignore: !HAVE_SCIPY,
  async fn() {
    const pts = [[2.3, 2.6, 3.4], [0.1, 5.2, 6.4], [-0.45, 0.5, 0], [4.49, 1.7, 2.2], [
      3.9,
      4.1,
      0.6,
    ]];
    const got: Record<string, number[]> = {};
    for (const interpolation of ["bspline", "linear"] as const) {
      got[interpolation] = pts.map((p) => {
        const out = new Float64Array(1);
        warp({ data: ramp, shape: SHAPE, frames: 1 }, constantMap([1, 1, 1], p), out, {
          interpolation,
          fill: 0,
        });
        return out[0];
      });
    }
    const want = await runScipy(
      `a = np.array(inp["data"], dtype=np.float64).reshape(7, 6, 5).T\n` +
        `c = np.array(inp["pts"]).T\n` +
        `out = {"bspline": nd.map_coordinates(a, c, order=3, mode="mirror").tolist(),\n` +
        `       "linear": nd.map_coordinates(a, c, order=1, mode="nearest").tolist()}`,
      { data: [...ramp], pts },
    ) as Record<string, number[]>;
    for (const k of ["bspline", "linear"]) {
      got[k].forEach((v, q) =>
        assert.ok(Math.abs(v - want[k][q]) < 1e-6, `${k} ${v} vs ${want[k][q]}`)
      );
    }
  },
});

Deno.test("warp rounds half away from zero and clamps into integer outputs", () => {
  const data = new Float64Array([2.5, -2.5, 300, -4, Number.NaN, 7.49]);
  const out = new Int8Array(6), u8 = new Uint8Array(6);
  const map: CoordinateMap = {
    shape: [6, 1, 1],
    row(_j, _k, xs, ys, zs) {
      for (let i = 0; i < 6; i++) xs[i] = i;
      ys.fill(0);
      zs.fill(0);
    },
  };
  warp({ data, shape: [6, 1, 1], frames: 1 }, map, out, { interpolation: "linear", fill: 0 });
  assert.deepEqual([...out], [3, -3, 127, -4, 0, 7]);
  warp({ data, shape: [6, 1, 1], frames: 1 }, map, u8, { interpolation: "linear", fill: 0 });
  assert.deepEqual([...u8], [3, 0, 255, 0, 0, 7]);
});

Deno.test("warp applies slope and inter and samples every frame with the same map", () => {
  const data = new Int16Array(2 * N).map((_, q) => q % 1000);
  const out = new Float32Array(2 * N);
  warp({ data, shape: SHAPE, frames: 2 }, createCoordinateMap(SHAPE, []), out, {
    interpolation: "linear",
    fill: 0,
    slope: 0.5,
    inter: -3,
  });
  for (let q = 0; q < 2 * N; q++) assert.equal(out[q], data[q] * 0.5 - 3);
});

Deno.test("warp linear with a 90-degree turn about z (unsnapped cos/sin) is an index permutation", () => {
  const n = 6, data = Float32Array.from({ length: n * n * 5 }, (_, q) => Math.cos(q * 0.9) * 10);
  const c = (n - 1) / 2, a = Math.PI / 2;
  // output (i, j) samples input (c + cos·(i − c) + sin·(j − c), c − sin·(i − c) + cos·(j − c))
  const m = [
    Math.cos(a),
    Math.sin(a),
    0,
    c - Math.cos(a) * c - Math.sin(a) * c,
    -Math.sin(a),
    Math.cos(a),
    0,
    c + Math.sin(a) * c - Math.cos(a) * c,
    0,
    0,
    1,
    0,
  ];
  const out = new Float32Array(data.length);
  warp(
    { data, shape: [n, n, 5], frames: 1 },
    createCoordinateMap([n, n, 5], [{ kind: "matrix", m }]),
    out,
    {
      interpolation: "linear",
      fill: -1,
    },
  );
  for (let k = 0; k < 5; k++) {
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < n; i++) {
        const want = data[j + n * (n - 1 - i + n * k)];
        assert.ok(Math.abs(out[i + n * (j + n * k)] - want) < 1e-5, `${i},${j},${k}`);
      }
    }
  }
});

Deno.test("warp samples within 1e-4 voxel outside the outer edge as inside, beyond it the fill (SPEC §3)", () => {
  const src = { data: ramp, shape: SHAPE, frames: 1 };
  for (const interpolation of ["nearest", "linear", "bspline"] as const) {
    const sample = (p: number[]) => {
      const out = new Float64Array(1);
      warp(src, constantMap([1, 1, 1], p), out, { interpolation, fill: -999 });
      return out[0];
    };
    for (const d of [5e-6, 0.99e-4]) {
      assert.notEqual(sample([4.5 + d, 2, 3]), -999, `${interpolation} x = N − 0.5 + ${d}`);
      assert.notEqual(sample([2, -0.5 - d, 3]), -999, `${interpolation} y = −0.5 − ${d}`);
      assert.notEqual(sample([2, 3, 6.5 + d]), -999, `${interpolation} z = N − 0.5 + ${d}`);
    }
    assert.equal(sample([4.5 + 1.01e-4, 2, 3]), -999, interpolation);
    assert.equal(sample([2, 2, -0.5 - 1.01e-4]), -999, interpolation);
  }
  const out = new Float64Array(1);
  warp(src, constantMap([1, 1, 1], [4.5 + 5e-5, 5.5, 6.5]), out, {
    interpolation: "nearest",
    fill: 0,
  });
  assert.equal(out[0], at(4, 5, 6));
});
