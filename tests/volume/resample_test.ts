import assert from "node:assert/strict";
import { deriveResampleGrid, type GridRequest } from "../../src/volume/grid.ts";
import type { Interpolation } from "../../src/volume/interpolate.ts";
import { resampleVolume } from "../../src/volume/resample.ts";
import type { Volume } from "../../src/volume/volume.ts";
import type { DType, FloatStorage } from "../../src/volume/dtype.ts";
import { makeVolume } from "../_volumes.ts";
import { encodeValue } from "../../src/volume/dtype.ts";
import { type EncodableItem, encodeForSave } from "../../src/volume/encode.ts";

/** The item `save` sees for an int16 input resampled to `volume`. */
function item(volume: Volume): EncodableItem {
  return { label: false, volume, inputDType: "int16" };
}

const INTERPOLATIONS: Interpolation[] = ["nearest", "linear", "bspline"];

function resample(
  v: Volume,
  request: GridRequest,
  interpolation: Interpolation,
  extra: { antialias?: boolean; fill?: number; floats?: FloatStorage } = {},
): Volume {
  const grid = deriveResampleGrid(v.shape, v.affine, request);
  return resampleVolume(v, grid, {
    interpolation,
    antialias: extra.antialias ?? false,
    fill: extra.fill ?? 0,
    ...(extra.floats ? { floats: extra.floats } : {}),
  });
}

/** Stored values as plain numbers. */
function values(v: Volume): number[] {
  return Array.from(v.data as ArrayLike<number | bigint>, Number);
}

/** A 1-D volume of n voxels along x (others size 1) with the given stored values. */
function line(values: number[], dtype: DType = "float32"): Volume {
  return makeVolume({ shape: [values.length, 1, 1], dtype, fn: (i) => values[i] });
}

Deno.test("resampleVolume returns the input exactly for identity grids (all interpolators)", () => {
  const v = makeVolume({
    dtype: "float32",
    fn: (i, j, k) => Math.sin(i * 3.1 + j * 1.7 + k) * 1e3,
  });
  for (const grid of ["center", "origin", "corners"] as const) {
    for (const interp of INTERPOLATIONS) {
      const out = resample(v, { size: [5, 6, 7], grid }, interp);
      assert.deepEqual(out.data, v.data, `${grid} ${interp}`);
      assert.deepEqual(out.affine, v.affine.map((r) => [...r]));
    }
  }
  const spacing = resample(v, { spacing: [null, null, null], grid: "origin" }, "bspline");
  assert.deepEqual(spacing.data, v.data);
});

Deno.test("resampleVolume linear reproduces a ramp at the SPEC sampling coordinates", () => {
  const v = makeVolume({
    shape: [7, 6, 5],
    dtype: "float64",
    fn: (i, j, k) => 2 * i + 3 * j - 5 * k,
  });
  // center grid 7→3 along x: r = 7/3, x(i) = 3 + (i − 1)·7/3.
  const out = resample(v, { size: [3, 4, null], grid: "center" }, "linear");
  const xs = [3 - 7 / 3, 3, 3 + 7 / 3], ys = [0, 1, 2, 3].map((j) => 2.5 + (j - 1.5) * 1.5);
  for (let k = 0; k < 5; k++) {
    for (let j = 0; j < 4; j++) {
      for (let i = 0; i < 3; i++) {
        const got = out.data[(k * 4 + j) * 3 + i] as number;
        assert.ok(Math.abs(got - (2 * xs[i] + 3 * ys[j] - 5 * k)) < 1e-9, `${i},${j},${k}`);
      }
    }
  }
});

Deno.test("resampleVolume linear clamps neighbours at the edges and interpolates between", () => {
  // origin grid 2→4: x = 0, 0.5, 1, 1.5 (1.5 = edge, inside, clamped).
  const out = resample(line([10, 20]), { size: [4, null, null], grid: "origin" }, "linear");
  assert.deepEqual(values(out), [10, 15, 20, 20]);
});

Deno.test("resampleVolume nearest picks floor(x + 0.5), exact halves going up", () => {
  const v = line([0, 1, 2, 3, 4]);
  // center 5→3: x = 0.333…, 2, 3.666…
  assert.deepEqual(values(resample(v, { size: [3, null, null], grid: "center" }, "nearest")), [
    0,
    2,
    4,
  ]);
  // origin 5→10: x = i/2, halves round up; x = 4.5 is the edge (inside).
  const up = resample(v, { size: [10, null, null], grid: "origin" }, "nearest");
  assert.deepEqual(values(up), [0, 1, 1, 2, 2, 3, 3, 4, 4, 4]);
});

Deno.test("resampleVolume fills samples outside the field of view, encoded with slope/inter", () => {
  // origin 5→12: x(11) = 55/12 ≈ 4.58 > 4.5 is outside.
  const f = resample(line([1, 2, 3, 4, 5]), { size: [12, null, null], grid: "origin" }, "linear", {
    fill: -7,
  });
  assert.equal(f.data[11], -7);
  assert.equal(f.data[10], 5);
  const scaled = makeVolume({ shape: [5, 1, 1], dtype: "int16", slope: 2, inter: 10, fn: () => 1 });
  const s = resample(scaled, { size: [12, null, null], grid: "origin" }, "bspline", { fill: 30 });
  assert.equal(s.dtype, "float64", "interpolated values are real numbers, in storage units");
  assert.equal(s.slope, 2);
  assert.equal(s.inter, 10);
  assert.equal(s.data[11], 10); // (30 − 10) / 2
  assert.ok(Math.abs((s.data[3] as number) - 1) < 1e-6);
  // Nearest keeps the type, unless the fill is not representable in it.
  const n = resample(scaled, { size: [12, null, null], grid: "origin" }, "nearest", { fill: 30 });
  assert.equal(n.dtype, "int16");
  assert.equal(n.data[11], 10);
  const odd = resample(scaled, { size: [12, null, null], grid: "origin" }, "nearest", { fill: 31 });
  assert.equal(odd.dtype, "float64");
  assert.deepEqual(values(odd).slice(9), [1, 1, 10.5]);
  for (const interp of INTERPOLATIONS) {
    const n = resample(line([1, 2, 3, 4, 5]), { size: [12, null, null], grid: "origin" }, interp, {
      fill: 99,
    });
    assert.equal(n.data[11], 99, interp);
  }
});

Deno.test("resampleVolume keeps fractional values and B-spline overshoot of integer inputs", () => {
  // SPEC §2: values between steps are real numbers; only save rounds and clamps.
  const neg = resample(line([-1, 0], "int16"), { size: [4, null, null], grid: "origin" }, "linear");
  assert.equal(neg.dtype, "float64");
  assert.deepEqual(values(neg), [-1, -0.5, 0, 0]);
  const pos = resample(line([2, 3], "int16"), { size: [4, null, null], grid: "origin" }, "linear");
  assert.deepEqual(values(pos), [2, 2.5, 3, 3]);
  const u8 = resample(line([0, 0, 255, 255, 0, 0], "uint8"), {
    size: [23, null, null],
    grid: "center",
  }, "bspline");
  const got = values(u8);
  assert.ok(Math.max(...got) > 255 && Math.min(...got) < 0, "overshoot kept");
  const wide = resample(
    line([0, 2 ** 40, 0], "int64"),
    { size: [5, null, null], grid: "origin" },
    "linear",
  );
  assert.equal(wide.dtype, "float64", "wider integers are kept in float64");
  // origin 3 → 5: x(1) = 0.6; float32 would be off by up to 2^16 here.
  assert.ok(Math.abs(values(wide)[1] - 0.6 * 2 ** 40) < 1e-3);
});

Deno.test("resampleVolume resamples each 4D frame independently", () => {
  const v = makeVolume({
    frames: 3,
    dtype: "float32",
    fn: (i, j, k, t) => (t + 1) * (i * i - j + 2 * k),
  });
  const req: GridRequest = { size: [3, 8, 4], grid: "center" };
  const all = resample(v, req, "bspline");
  assert.equal(all.frames, 3);
  const n = 5 * 6 * 7, m = 3 * 8 * 4;
  for (let t = 0; t < 3; t++) {
    const frame = makeVolume({ dtype: "float32", fn: (i, j, k) => (t + 1) * (i * i - j + 2 * k) });
    const one = resample(frame, req, "bspline");
    assert.deepEqual(all.data.subarray(t * m, (t + 1) * m), one.data, `frame ${t}`);
  }
  assert.equal(all.data.length, 3 * m);
  assert.ok(n > 0);
});

Deno.test("resampleVolume nearest keeps only input values, also for 64-bit integers", () => {
  const v = makeVolume({
    shape: [5, 6, 7],
    dtype: "int64",
    fn: (i, j, k) => (i * 7 + j * 3 + k) % 5,
  });
  const out = resample(v, { spacing: [0.7, 1.9, 1.1], grid: "center" }, "nearest");
  assert.equal(out.dtype, "int64");
  for (const x of out.data as BigInt64Array) assert.ok(x >= 0n && x < 5n);
});

Deno.test("resampleVolume B-spline reproduces a cubic polynomial away from the borders", () => {
  const p = (x: number) => 0.001 * x ** 3 - 0.05 * x * x + 2 * x;
  const v = makeVolume({ shape: [61, 3, 1], dtype: "float64", fn: (i) => p(i) });
  const out = resample(v, { size: [150, null, null], grid: "origin" }, "bspline");
  const r = 61 / 150;
  for (let i = 50; i < 100; i++) {
    assert.ok(Math.abs((out.data[i] as number) - p(i * r)) < 1e-6, `i=${i}`);
  }
});

Deno.test("resampleVolume antialias leaves a constant volume constant and smooths an impulse", () => {
  const c = makeVolume({ dtype: "float32", fn: () => 42 });
  const cd = resample(c, { size: [2, 3, 3], grid: "center" }, "linear", { antialias: true });
  for (const x of cd.data as Float32Array) assert.ok(Math.abs(x - 42) < 1e-4);
  const impulse = line([0, 0, 0, 0, 0, 0, 100, 0, 0, 0, 0, 0, 0], "float64");
  // center 13→3: r = 13/3, x = 6 ± 13/3, 6; σ = (r − 1)/2 = 5/3.
  const plain = resample(impulse, { size: [3, null, null], grid: "center" }, "linear");
  const aa = resample(impulse, { size: [3, null, null], grid: "center" }, "linear", {
    antialias: true,
  });
  assert.equal(plain.data[1], 100);
  const sigma = 5 / 3, radius = Math.floor(4 * sigma + 0.5);
  let sum = 0;
  for (let x = -radius; x <= radius; x++) sum += Math.exp(-0.5 * x * x / (sigma * sigma));
  assert.ok(Math.abs((aa.data[1] as number) - 100 / sum) < 1e-9);
});

Deno.test("resampleVolume float32 results of int16 data round at save exactly as the float64 path", () => {
  // SPEC §2: a smaller storage type must not be visible after save. The int16 input's result
  // is kept in float32 (`float32-keeping`, before an integer save; `float32`, the nearest
  // float32, before a float32 save); the same data as float64 gives float64 results.
  const fn = (i: number, j: number, k: number) =>
    Math.round(3000 * Math.sin(i * 1.7 + j * 0.3) * Math.cos(k * 0.8 + i * 0.1));
  const v16 = makeVolume({ shape: [13, 11, 9], dtype: "int16", fn });
  const v64 = makeVolume({ shape: [13, 11, 9], dtype: "float64", fn });
  const requests: GridRequest[] = [
    { size: [29, 7, 20], grid: "center" },
    { spacing: [0.37, 1.9, 0.8], grid: "origin" },
    { size: [26, 22, 18], grid: "origin" }, // 2×: many exact halves
  ];
  for (const request of requests) {
    for (const interp of ["linear", "bspline"] as const) {
      for (const antialias of [false, true]) {
        const a = resample(v16, request, interp, { antialias, floats: "float32-keeping" });
        const b = resample(v64, request, interp, { antialias });
        const near = resample(v16, request, interp, { antialias, floats: "float32" });
        assert.equal(a.dtype, "float32");
        assert.equal(b.dtype, "float64");
        // The float32 save's values: numpy's astype(float32) of the float64 result.
        const want32 = Float32Array.from(b.data as Float64Array);
        assert.deepEqual(near.data, want32, `${JSON.stringify(request)} ${interp} ${antialias}`);
        for (const rounding of ["nearest", "truncate"] as const) {
          const ea = encodeForSave(item(a), "auto", { rounding }).volume.data;
          const eb = (b.data as Float64Array).map((x) => encodeValue(x, "int16", rounding));
          let differ = 0;
          for (let p = 0; p < eb.length; p++) if (ea[p] !== eb[p]) differ++;
          assert.equal(differ, 0, `${JSON.stringify(request)} ${interp} ${antialias} ${rounding}`);
        }
      }
    }
  }
});

Deno.test("resampleVolume nearest keeps int16 storage, equal to the float path after save", () => {
  const fn = (i: number, j: number, k: number) => (i * 37 + j * 11 - k * 101) % 2000;
  const v16 = makeVolume({ shape: [13, 11, 9], dtype: "int16", fn });
  const v64 = makeVolume({ shape: [13, 11, 9], dtype: "float64", fn });
  for (const fill of [0, -7]) {
    const a = resample(v16, { spacing: [0.37, 1.9, 0.8], grid: "center" }, "nearest", { fill });
    const b = resample(v64, { spacing: [0.37, 1.9, 0.8], grid: "center" }, "nearest", { fill });
    assert.equal(a.dtype, "int16");
    const saved = encodeForSave(item(a), "auto").volume;
    assert.equal(saved, a, "nothing to re-encode");
    assert.deepEqual(Array.from(a.data as Int16Array), Array.from(b.data as Float64Array));
  }
});
