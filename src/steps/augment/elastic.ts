import { z } from "zod";
import { createRng } from "../../random/rng.ts";
import { invertAffine } from "../../volume/affine.ts";
import { createDisplacementField } from "../../volume/elastic.ts";
import type { Grid } from "../../volume/grid.ts";
import { defineTransform, drawSubSeed, num, probability, triple } from "./augment_transform.ts";

const perAxis = <T extends z.ZodType>(item: T) => z.union([item, z.tuple([item, item, item])]);
const asTriple = (v: number | number[]): [number, number, number] =>
  typeof v === "number" ? [v, v, v] : [v[0], v[1], v[2]];

const params = z.object({
  maxDisplacement: perAxis(z.number().min(0).max(1e4)).default(7.5).describe(
    "Largest displacement in mm along each world axis (one value, or [x, y, z]); every control point is drawn uniformly within it",
  ),
  controlPoints: perAxis(z.number().int().min(4).max(64)).default(7).describe(
    "Control points per axis of the coarse B-spline grid spanning the volume (>= 4; fewer = smoother)",
  ),
  p: probability,
}).strict();

/** Control-point displacements (voxel units of `grid`) regenerated from a recorded seed. */
export function deriveControlValues(
  seed: number,
  points: readonly [number, number, number],
  maxMm: readonly [number, number, number],
  grid: Grid,
): Float64Array {
  const rng = createRng(seed);
  const inv = invertAffine(grid.affine);
  const n = points[0] * points[1] * points[2];
  const out = new Float64Array(3 * n);
  for (let q = 0; q < n; q++) {
    const d = maxMm.map((m) => rng.uniform(-m, m));
    for (let r = 0; r < 3; r++) {
      out[3 * q + r] = inv[r][0] * d[0] + inv[r][1] * d[1] + inv[r][2] * d[2];
    }
  }
  return out;
}

/**
 * Elastic deformation: the volume is sampled at x + d(x), with d a cubic
 * B-spline field over a coarse grid of control points whose world-space
 * displacements are uniform in ±maxDisplacement (so |d| ≤ maxDisplacement per
 * world axis). The record keeps the seed that regenerates the control points.
 */
export const elastic = defineTransform({
  name: "elastic",
  summary:
    "Smooth B-spline elastic deformation from a coarse grid of random control-point displacements (mm)",
  kind: "spatial",
  params,
  draw(rng, p) {
    return {
      seed: drawSubSeed(rng),
      controlPoints: asTriple(p.controlPoints),
      maxDisplacement: asTriple(p.maxDisplacement),
    };
  },
  spatial(realized, grid) {
    const points = triple(realized.controlPoints, "elastic.controlPoints");
    const max = triple(realized.maxDisplacement, "elastic.maxDisplacement");
    const values = deriveControlValues(num(realized.seed, "elastic.seed"), points, max, grid);
    const field = createDisplacementField(grid.shape, points, values);
    return { grid, stage: max.every((m) => m === 0) ? null : { kind: "field", field } };
  },
});
