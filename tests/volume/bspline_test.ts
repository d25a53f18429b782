import assert from "node:assert/strict";
import {
  bsplineWeights,
  mirrorIndex,
  prefilterBSpline3,
  prefilterLines,
} from "../../src/volume/bspline.ts";
import { HAVE_SCIPY, runScipy } from "./_scipy.ts";

/** Evaluates the spline with coefficients `c` (1-D, mirror boundary) at x. */
function evalSpline(c: Float64Array, x: number): number {
  const w = new Float64Array(4);
  const f = Math.floor(x);
  bsplineWeights(x - f, w);
  let s = 0;
  for (let t = 0; t < 4; t++) s += w[t] * c[mirrorIndex(f - 1 + t, c.length)];
  return s;
}

Deno.test("mirrorIndex reflects about the edge samples without repeating them", () => {
  const got = [-4, -3, -2, -1, 0, 1, 2, 3, 4, 5, 6, 7, 8].map((i) => mirrorIndex(i, 4));
  assert.deepEqual(got, [2, 3, 2, 1, 0, 1, 2, 3, 2, 1, 0, 1, 2]);
  assert.equal(mirrorIndex(-7, 1), 0);
  assert.equal(mirrorIndex(5, 2), 1);
});

Deno.test("bsplineWeights sums to one and matches the cubic B-spline at t = 0 and 0.5", () => {
  const w = new Float64Array(4);
  bsplineWeights(0, w);
  assert.deepEqual(Array.from(w).map((v) => v * 6), [1, 4, 1, 0]);
  bsplineWeights(0.5, w);
  assert.deepEqual(Array.from(w).map((v) => v * 48), [1, 23, 23, 1]);
  for (const t of [0.1, 0.37, 0.99]) {
    bsplineWeights(t, w);
    assert.ok(Math.abs(w[0] + w[1] + w[2] + w[3] - 1) < 1e-15);
  }
});

Deno.test("prefilterLines makes an interpolating spline (samples reproduced, odd lengths)", () => {
  for (const n of [2, 3, 7, 41, 97]) {
    const data = Float64Array.from({ length: n }, (_, i) => Math.sin(i * 1.3) * 100 + i);
    const c = data.slice();
    prefilterLines(c, 0, n, 1, 1, 1);
    for (let i = 0; i < n; i++) assert.ok(Math.abs(evalSpline(c, i) - data[i]) < 1e-9, `n=${n}`);
  }
});

Deno.test("prefilterLines reproduces a cubic polynomial in the interior", () => {
  const n = 81;
  const p = (x: number) => 0.002 * x ** 3 - 0.1 * x * x + 3 * x - 7;
  const c = Float64Array.from({ length: n }, (_, i) => p(i));
  prefilterLines(c, 0, n, 1, 1, 1);
  for (const x of [30.25, 40.5, 47.9]) assert.ok(Math.abs(evalSpline(c, x) - p(x)) < 1e-6);
});

Deno.test("prefilterBSpline3 on a 5x6x7 volume equals scipy spline_filter(order=3, mirror)", {
  ignore: !HAVE_SCIPY,
}, async () => {
  const shape = [5, 6, 7] as const;
  const data = Float64Array.from({ length: 210 }, (_, i) => Math.cos(i * 0.77) * 50 + (i % 11));
  const want = await runScipy(
    "a = np.array(inp, dtype=np.float64).reshape(7, 6, 5).T\n" +
      "out = nd.spline_filter(a, order=3, mode='mirror').T.ravel().tolist()",
    Array.from(data),
  ) as number[];
  prefilterBSpline3(data, shape);
  for (let i = 0; i < data.length; i++) assert.ok(Math.abs(data[i] - want[i]) < 1e-9, `i=${i}`);
});

Deno.test("prefilterBSpline3 keeps float32 storage close to the float64 result", () => {
  const shape = [9, 4, 3] as const;
  const f64 = Float64Array.from({ length: 108 }, (_, i) => (i * 37) % 13);
  const f32 = Float32Array.from(f64);
  prefilterBSpline3(f64, shape);
  prefilterBSpline3(f32, shape);
  for (let i = 0; i < 108; i++) assert.ok(Math.abs(f32[i] - f64[i]) < 1e-4);
});
