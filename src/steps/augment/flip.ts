import { z } from "zod";
import { defineTransform, probability } from "./augment_transform.ts";

const params = z.object({
  axes: z.array(z.union([z.literal(0), z.literal(1), z.literal(2)])).min(1).default([0]).describe(
    "Voxel axes that may be flipped (0 = x, 1 = y, 2 = z), each independently",
  ),
  p: probability.describe("Probability that each listed axis is flipped (0-1)"),
}).strict();

/** Mirrors the volume along voxel axes, each listed axis with probability p. */
export const flip = defineTransform({
  name: "flip",
  summary: "Mirror along voxel axes, each with probability p",
  kind: "spatial",
  params,
  fired: (realized) => (realized.flips as boolean[]).some(Boolean),
  draw(rng, { axes, p }) {
    const flips = [false, false, false];
    for (const a of [0, 1, 2]) if (axes.includes(a as 0 | 1 | 2)) flips[a] = rng.bernoulli(p);
    return { flips };
  },
  spatial(realized, grid) {
    const flips = realized.flips as boolean[];
    if (!flips.some(Boolean)) return { grid, stage: null };
    const m = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0];
    for (let a = 0; a < 3; a++) {
      if (flips[a]) {
        m[5 * a] = -1;
        m[4 * a + 3] = grid.shape[a] - 1;
      }
    }
    return { grid, stage: { kind: "matrix", m } };
  },
});
