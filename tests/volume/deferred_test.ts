/**
 * Deferred float values (issue 15): `resampleDeferred` computes bit for bit what
 * `resampleVolume` holds, every read the same; the statistics and maps of deferred runs equal
 * those of the held volume.
 */
import assert from "node:assert/strict";
import { deriveResampleGrid, type GridRequest } from "../../src/volume/grid.ts";
import type { Interpolation } from "../../src/volume/interpolate.ts";
import { resampleDeferred, resampleVolume } from "../../src/volume/resample.ts";
import { materializeDeferred } from "../../src/volume/deferred.ts";
import type { FloatStorage } from "../../src/volume/dtype.ts";
import {
  deriveFrameStats,
  deriveRunStats,
  frameRuns,
  maskSelection,
  selectVoxels,
} from "../../src/volume/stats.ts";
import { mapDeferredToFloat, mapToFloat } from "../../src/volume/intensity.ts";
import { makeVolume } from "../_volumes.ts";

const IMAGE = makeVolume({
  shape: [21, 16, 11],
  frames: 2,
  dtype: "int16",
  slope: 0.75,
  inter: -100,
  fn: (i, j, k, t) => ((i * 31 + j * 17 + k * 7 + t * 5) % 97) * ((i + k) % 5 === 0 ? 0 : 1),
});

const REQUESTS: GridRequest[] = [
  { size: [33, 9, 17], grid: "corners" },
  { size: [8, 7, 5], grid: "center" },
  { spacing: [0.8, 1.7, 0.6], grid: "origin" },
];

function options(interpolation: Interpolation, floats: FloatStorage, antialias = false) {
  return { interpolation, antialias, fill: -7.25, floats };
}

Deno.test("resampleDeferred: every read equals resampleVolume's held values, bit for bit", () => {
  for (const request of REQUESTS) {
    const grid = deriveResampleGrid(IMAGE.shape, IMAGE.affine, request);
    for (const floats of ["float64", "float32", "float32-keeping"] as const) {
      const held = resampleVolume(IMAGE, grid, options("linear", floats));
      const d = resampleDeferred(IMAGE, grid, options("linear", floats))!;
      assert.ok(d, JSON.stringify(request));
      assert.equal(d.volume.data.length, 0, "nothing held");
      assert.equal(d.volume.dtype, held.dtype);
      assert.deepEqual(d.volume.shape, held.shape);
      assert.deepEqual(d.volume.affine, held.affine);
      assert.equal(d.volume.slope, held.slope);
      assert.equal(d.deferred.sources[0], IMAGE.data.buffer);
      const what = `${JSON.stringify(request)} ${floats}`;
      assert.deepEqual(materializeDeferred(d.deferred), held.data, what);
      assert.deepEqual(materializeDeferred(d.deferred), held.data, `${what} (read again)`);
    }
  }
});

Deno.test("resampleDeferred: undefined where the result is not float or z needs the stack", () => {
  const grid = deriveResampleGrid(IMAGE.shape, IMAGE.affine, REQUESTS[0]);
  assert.equal(resampleDeferred(IMAGE, grid, options("nearest", "float64")), undefined);
  assert.equal(resampleDeferred(IMAGE, grid, options("bspline", "float64")), undefined);
  // Anti-aliasing along a shrinking z (REQUESTS[1]: 11 → 5 planes) smooths the whole stack.
  const down = deriveResampleGrid(IMAGE.shape, IMAGE.affine, REQUESTS[1]);
  assert.equal(resampleDeferred(IMAGE, down, options("linear", "float64", true)), undefined);
});

Deno.test("deriveRunStats / mapDeferredToFloat of deferred values equal the held volume's", () => {
  const grid = deriveResampleGrid(IMAGE.shape, IMAGE.affine, REQUESTS[0]);
  const held = resampleVolume(IMAGE, grid, options("linear", "float64"));
  const { deferred } = resampleDeferred(IMAGE, grid, options("linear", "float64"))!;
  const mask = makeVolume({
    shape: [...held.shape],
    dtype: "uint8",
    fn: (i, j) => (i > j ? 1 : 0),
  });
  for (let t = 0; t < held.frames; t++) {
    const runs = frameRuns(held, t, deferred);
    for (const m of ["all", "nonzero"] as const) {
      assert.deepEqual(deriveRunStats(runs, held, m), deriveFrameStats(held, t, m));
    }
    const selection = maskSelection(mask, t, held.frames);
    assert.deepEqual(
      deriveRunStats(runs, held, "all", selection),
      deriveFrameStats(selectVoxels(held, t, selection), 0, "all"),
    );
  }
  const maps = [
    { sub: 3, div: 7, mul: 1, add: 0, keepZero: true },
    {
      sub: -1,
      div: 2,
      mul: 3,
      add: 1,
      lo: -2,
      hi: 40,
      outside: { selection: maskSelection(mask, 1, 2), mode: "keep" as const },
    },
  ];
  for (const storage of ["float64", "float32", "float32-keeping"] as const) {
    const a = mapDeferredToFloat(held, deferred, maps, storage);
    const b = mapToFloat(held, maps, { storage });
    assert.deepEqual(a.clamped, b.clamped, storage);
    assert.ok(a.clamped[1] > 0, "some clamped");
    assert.deepEqual(a.volume.data, b.volume.data, storage);
  }
});
