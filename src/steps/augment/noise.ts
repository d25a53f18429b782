import { z } from "zod";
import { fillNormal } from "../../random/rng.ts";
import { defineTransform, drawSubSeed, num, probability } from "./augment_transform.ts";
import { drawIn, rangeSchema, toRange } from "./ranges.ts";

const params = z.object({
  std: rangeSchema(0).default(0.25).describe(
    "Standard deviation of the Gaussian noise in image units: v means [0, v], or [lo, hi]; drawn once per sample",
  ),
  mean: rangeSchema().default(0).describe(
    "Mean of the noise in image units: v means [-v, v], or [lo, hi]; drawn once per sample",
  ),
  p: probability,
}).strict();

/** Adds Gaussian noise to images; the record keeps σ, the mean and the seed of the noise. */
export const noise = defineTransform({
  name: "noise",
  summary: "Additive Gaussian noise with a random sigma",
  kind: "intensity",
  params,
  draw(rng, p) {
    const std = drawIn(rng, toRange(p.std, 0, true));
    const mean = drawIn(rng, toRange(p.mean));
    return { std, mean, seed: drawSubSeed(rng) };
  },
  intensity(realized, image) {
    const std = num(realized.std, "noise.std"), mean = num(realized.mean, "noise.mean");
    fillNormal(num(realized.seed, "noise.seed"), image.data, { mean, std, accumulate: true });
  },
});
