import { z } from "zod";
import { windowGrid } from "../../volume/primitives.ts";
import type { Stage } from "../../volume/transform.ts";
import type { Grid } from "../../volume/grid.ts";
import { defineTransform, probability, triple } from "./augment_transform.ts";

const axisSize = z.number().int().min(1).max(65535);

/** Target size per axis; null keeps the input's size on that axis. */
export const sizeSchema = z.tuple([axisSize.nullable(), axisSize.nullable(), axisSize.nullable()]);

/** Output size for an input grid: null axes keep the input size. */
export function resolveSize(
  size: readonly (number | null)[],
  grid: Grid,
): [number, number, number] {
  return [0, 1, 2].map((a) => size[a] ?? grid.shape[a]) as [number, number, number];
}

/** The centred origin floor((N − M) / 2) per axis (negative = padding). */
export function centredOrigin(size: readonly number[], grid: Grid): [number, number, number] {
  return [0, 1, 2].map((a) => Math.floor((grid.shape[a] - size[a]) / 2)) as [
    number,
    number,
    number,
  ];
}

/** Grid and pull-back stage of taking `size` voxels starting at input voxel `origin`. */
export function window(origin: readonly number[], size: readonly number[], grid: Grid): {
  grid: Grid;
  stage: Stage | null;
} {
  const same = origin.every((o) => o === 0) && [0, 1, 2].every((a) => size[a] === grid.shape[a]);
  if (same) return { grid, stage: null };
  return {
    grid: windowGrid(grid, origin, size),
    stage: { kind: "matrix", m: [1, 0, 0, origin[0], 0, 1, 0, origin[1], 0, 0, 1, origin[2]] },
  };
}

const params = z.object({
  size: sizeSchema.describe("Output voxels per axis [x, y, z]; null keeps that axis"),
  mode: z.enum(["random", "center", "foreground"]).default("random").describe(
    "Where the window goes: random (uniform over valid origins), center, or foreground (centred on a random labelled voxel with foregroundProbability, else random; nnU-Net oversampling)",
  ),
  foregroundProbability: z.number().min(0).max(1).default(0.33).describe(
    "With mode foreground: chance that the window is centred on a labelled voxel",
  ),
  labels: z.array(z.number()).min(1).optional().describe(
    "With mode foreground: label values that count as foreground (default: any nonzero)",
  ),
  p: probability,
}).strict();

/**
 * Crops (or, where the size exceeds the input, pads with fill) a window of
 * fixed size; the output affine is the input's shifted to the window origin.
 */
export const crop = defineTransform({
  name: "crop",
  summary:
    "Fixed-size window: random, centred, or centred on a labelled voxel (foreground oversampling)",
  kind: "spatial",
  params,
  draw(rng, p, context) {
    const size = resolveSize(p.size, context.grid);
    const n = context.grid.shape;
    if (p.mode === "center") return { size, origin: centredOrigin(size, context.grid) };
    let centre: number[] | null = null;
    if (p.mode === "foreground" && rng.bernoulli(p.foregroundProbability)) {
      centre = context.pickLabelled(rng, p.labels);
    }
    const origin = [0, 1, 2].map((a) => {
      const lo = Math.min(0, n[a] - size[a]), hi = Math.max(0, n[a] - size[a]);
      if (centre === null) return rng.int(lo, hi);
      const o = Math.round(centre[a]) - Math.floor((size[a] - 1) / 2);
      return o < lo ? lo : o > hi ? hi : o;
    });
    return p.mode === "foreground" ? { size, origin, centredOn: centre } : { size, origin };
  },
  spatial(realized, grid) {
    return window(triple(realized.origin, "crop.origin"), triple(realized.size, "crop.size"), grid);
  },
});
