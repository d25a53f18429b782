import { z } from "zod";
import { defineStep } from "../step.ts";

const params = z.object({
  min: z.number().optional().describe("Lowest value kept, in image units (e.g. HU)"),
  max: z.number().optional().describe("Highest value kept, in image units"),
  percentiles: z.tuple([z.number().min(0).max(100), z.number().min(0).max(100)]).optional()
    .describe(
      "Clip to these percentiles [lo, hi] (0-100, numpy's linear method) instead of min/max",
    ),
  mask: z.enum(["all", "nonzero"]).default("all").describe(
    "Voxels the percentiles are computed over: all, or nonzero ones",
  ),
}).strict()
  .refine((p) => p.percentiles !== undefined || p.min !== undefined || p.max !== undefined, {
    message: "Give min and/or max, or percentiles",
  })
  .refine((p) => p.percentiles === undefined || (p.min === undefined && p.max === undefined), {
    message: "Give either min/max or percentiles, not both",
    path: ["percentiles"],
  })
  .refine((p) => p.min === undefined || p.max === undefined || p.min < p.max, {
    message: "min must be < max",
    path: ["max"],
  })
  .refine((p) => p.percentiles === undefined || p.percentiles[0] < p.percentiles[1], {
    message: "percentiles must be increasing [lo, hi]",
    path: ["percentiles"],
  });

/** Clamps intensities into [min, max] or into a percentile range. */
export const clip = defineStep({
  name: "clip",
  kind: "intensity",
  summary: "Clamp intensities into [min, max] or a percentile range",
  params,
  example: "- step: clip\n  min: -1000\n  max: 1000",
  apply() {
    throw new Error("clip is not implemented yet");
  },
});
