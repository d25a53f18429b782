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
  lockedBorders: z.union([z.literal(0), z.literal(1), z.literal(2)]).default(2).describe(
    "Control layers fixed (zero displacement) at each end of every axis, as TorchIO: 2 (default) fixes the points outside and on the border of the volume so little is pulled in from outside the field of view, 1 only those outside, 0 none",
  ),
  p: probability,
}).strict().refine(
  (e) => e.lockedBorders < 2 || asTriple(e.controlPoints).every((n) => n >= 5),
  {
    message:
      "lockedBorders 2 with 4 control points on an axis leaves no point free (an identity transform): use 5 or more control points or lockedBorders 0 or 1",
    path: ["lockedBorders"],
  },
);

/**
 * Control-point displacements (voxel units of `grid`) regenerated from a recorded seed; the
 * `locked` outer layers at both ends of every axis are zero (drawn all the same, so the free
 * points do not depend on `locked`).
 */
export function deriveControlValues(
  seed: number,
  points: readonly [number, number, number],
  maxMm: readonly [number, number, number],
  grid: Grid,
  locked: number,
): Float64Array {
  const rng = createRng(seed);
  const inv = invertAffine(grid.affine);
  const out = new Float64Array(3 * points[0] * points[1] * points[2]);
  const free = (i: number, axis: number) => i >= locked && i < points[axis] - locked;
  let q = 0;
  for (let c = 0; c < points[2]; c++) {
    for (let b = 0; b < points[1]; b++) {
      for (let a = 0; a < points[0]; a++, q++) {
        const d = maxMm.map((m) => rng.uniform(-m, m));
        if (!(free(a, 0) && free(b, 1) && free(c, 2))) continue;
        for (let r = 0; r < 3; r++) {
          out[3 * q + r] = inv[r][0] * d[0] + inv[r][1] * d[1] + inv[r][2] * d[2];
        }
      }
    }
  }
  return out;
}

/**
 * Elastic deformation: the volume is sampled at x + d(x), with d a cubic
 * B-spline field over a coarse grid of control points whose world-space
 * displacements are uniform in ±maxDisplacement (so |d| ≤ maxDisplacement per
 * world axis). The record keeps the seed that regenerates the control points and
 * `lockedBorders`, the control layers held at zero at each end of every axis (TorchIO's
 * `locked_borders`, default 2; TorchIO's code zeroes only its first two array axes, medprep
 * all three, as TorchIO documents it). A record without `lockedBorders` (provenance written
 * before it existed) replays as 0, the behaviour it was made with.
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
      lockedBorders: p.lockedBorders,
    };
  },
  spatial(realized, grid) {
    const points = triple(realized.controlPoints, "elastic.controlPoints");
    const max = triple(realized.maxDisplacement, "elastic.maxDisplacement");
    const locked = realized.lockedBorders === undefined
      ? 0
      : num(realized.lockedBorders, "elastic.lockedBorders");
    const values = deriveControlValues(
      num(realized.seed, "elastic.seed"),
      points,
      max,
      grid,
      locked,
    );
    const field = createDisplacementField(grid.shape, points, values);
    return { grid, stage: max.every((m) => m === 0) ? null : { kind: "field", field } };
  },
});
