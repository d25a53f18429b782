import assert from "node:assert/strict";
import { deriveResampleGrid, type GridRequest } from "../../src/volume/grid.ts";
import type { Interpolation } from "../../src/volume/interpolate.ts";
import { resampleVolume } from "../../src/volume/resample.ts";
import { makeVolume } from "../_volumes.ts";
import { HAVE_SCIPY, runScipy } from "./_scipy.ts";

/** Runs our resampling and scipy's map_coordinates (after an optional gaussian) on the same coordinates. */
async function compare(
  request: GridRequest,
  interpolation: Interpolation,
  antialias: boolean,
): Promise<number> {
  const v = makeVolume({
    shape: [9, 6, 7],
    dtype: "float64",
    fn: (i, j, k) => Math.sin(i * 1.3 + j * 0.7) * 100 + ((i * 31 + j * 17 + k * 7) % 13),
  });
  const grid = deriveResampleGrid(v.shape, v.affine, request);
  const ours = resampleVolume(v, grid, { interpolation, antialias, fill: 0 });
  const coords = grid.axes.map((a) => Array.from({ length: a.m }, (_, i) => a.coordinate(i)));
  const sigmas = grid.axes.map((a) => (antialias && a.r > 1 ? (a.r - 1) / 2 : 0));
  const order = { nearest: 0, linear: 1, bspline: 3 }[interpolation];
  const want = await runScipy(
    `a = np.array(inp["data"], dtype=np.float64).reshape(7, 6, 9).T
if any(s > 0 for s in inp["sigmas"]):
    a = nd.gaussian_filter(a, inp["sigmas"], mode="nearest", truncate=4.0)
g = np.meshgrid(*[np.array(c) for c in inp["coords"]], indexing="ij")
g = [np.clip(g[d], 0, a.shape[d] - 1) if inp["order"] == 1 else g[d] for d in range(3)]
out = nd.map_coordinates(a, g, order=inp["order"], mode="mirror", prefilter=True).T.ravel().tolist()`,
    { data: Array.from(v.data as Float64Array), coords, sigmas, order },
  ) as number[];
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    worst = Math.max(worst, Math.abs((ours.data[i] as number) - want[i]));
  }
  return worst;
}

const opts = { ignore: !HAVE_SCIPY };

Deno.test(
  "resampleVolume bspline equals scipy map_coordinates(order=3, mirror)",
  opts,
  async () => {
    assert.ok(await compare({ size: [4, 11, 5], grid: "center" }, "bspline", false) < 1e-9);
    assert.ok(await compare({ size: [13, 4, 9], grid: "origin" }, "bspline", false) < 1e-9);
    assert.ok(await compare({ size: [5, 5, 5], grid: "corners" }, "bspline", false) < 1e-9);
  },
);

Deno.test(
  "resampleVolume linear equals scipy map_coordinates(order=1) with clamped coordinates",
  opts,
  async () => {
    // x shrinks, y grows: two separable passes.
    assert.ok(await compare({ spacing: [1.7, 0.5, 3], grid: "center" }, "linear", false) < 1e-9);
    // x and y both shrink: direct bilinear in-plane sampling.
    assert.ok(await compare({ size: [4, 3, 9], grid: "origin" }, "linear", false) < 1e-9);
  },
);

Deno.test(
  "resampleVolume antialias equals scipy gaussian_filter(mode=nearest) then sampling",
  opts,
  async () => {
    assert.ok(await compare({ size: [3, 2, 7], grid: "center" }, "linear", true) < 1e-9);
    assert.ok(await compare({ size: [4, 3, 3], grid: "origin" }, "bspline", true) < 1e-9);
    assert.ok(await compare({ size: [4, 5, 2], grid: "center" }, "nearest", true) < 1e-9);
  },
);
