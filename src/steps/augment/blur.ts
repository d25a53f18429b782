import { z } from "zod";
import { columnNorms } from "../../volume/affine.ts";
import { gaussianBlur } from "../../volume/gaussian.ts";
import { defineTransform, probability, triple } from "./augment_transform.ts";
import { drawIn, rangeSchema, toRange } from "./ranges.ts";

const params = z.object({
  std: rangeSchema(0).default(2).describe(
    "Gaussian sigma in mm: v means [0, v], or [lo, hi]; drawn per voxel axis",
  ),
  p: probability,
}).strict();

/** Gaussian blur with σ drawn in mm per voxel axis (σ/spacing voxels, truncated at 4σ, edges clamped). */
export const blur = defineTransform({
  name: "blur",
  summary: "Gaussian blur with a random sigma in mm per axis",
  kind: "intensity",
  params,
  draw(rng, p) {
    const r = toRange(p.std, 0, true);
    return { std: [drawIn(rng, r), drawIn(rng, r), drawIn(rng, r)] };
  },
  intensity(realized, image) {
    const std = triple(realized.std, "blur.std");
    const spacing = columnNorms(image.grid.affine);
    const sigma = [0, 1, 2].map((a) => std[a] / spacing[a]) as [number, number, number];
    const n = image.data.length / image.frames;
    for (let f = 0; f < image.frames; f++) {
      gaussianBlur(image.data.subarray(f * n, (f + 1) * n), image.grid.shape, sigma);
    }
  },
});
