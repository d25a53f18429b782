import { z } from "zod";
import { defineStep } from "../step.ts";
import { perAxis, resampleCommon } from "./resample_params.ts";
import { applyResample, planResample, resampleMovesValues } from "./resample_apply.ts";
import { requireDatasetStats } from "../dataset_stats.ts";

const params = z.object({
  spacing: z.union([perAxis(z.number().positive().max(1e4)), z.literal("median")]).describe(
    "Output voxel spacing in mm per axis [x, y, z] (null keeps that axis), or median: the per-axis median of the dataset's spacings as they reach this step (a statistics pass before the run)",
  ),
  anisotropy: z.enum(["none", "nnunet"]).default("none").describe(
    "With spacing: median, nnunet applies nnU-Net's anisotropy rule: when the coarsest median axis is > 3x the largest other one (and its median size x3 < the smallest other size), it takes the 10th percentile of its spacings instead",
  ),
  grid: z.enum(["center", "origin", "edge"]).default("center").describe(
    "Sampling grid: center (field of view centred and kept, MRtrix3 mrgrid), origin (first voxel centre kept, SimpleITK/ITK) or edge (size ceil(N*s/t), outer edge of the first voxel kept: TorchIO Resample(spacing), which is not center); corners only applies to resample-to-size",
  ),
  ...resampleCommon,
}).strict().refine((p) => p.anisotropy === "none" || p.spacing === "median", {
  message: "anisotropy applies to spacing: median only",
  path: ["anisotropy"],
});

/** Resamples every role to a given voxel spacing in mm. */
export const resampleToSpacing = defineStep({
  name: "resample-to-spacing",
  kind: "spatial",
  summary: "Resample to a voxel spacing in mm",
  params,
  example: "- step: resample-to-spacing\n  spacing: [1, 1, 1]\n  interpolation: linear",
  movesValues: resampleMovesValues,
  dataset: (
    p,
  ) => (p.spacing === "median" ? { kind: "spacing", anisotropy: p.anisotropy } : undefined),
  plan(grid, p) {
    // spacing: median is known after the statistics pass: the input spacing stands in for it.
    return planResample(grid, {
      spacing: p.spacing === "median" ? [null, null, null] : p.spacing,
      grid: p.grid,
    });
  },
  apply(subject, p, ctx) {
    if (p.spacing !== "median") {
      return applyResample(subject, { spacing: p.spacing, grid: p.grid }, p, ctx);
    }
    const spacing = requireDatasetStats(ctx.dataset, "resample-to-spacing").spacing;
    if (!spacing) throw new Error("resample-to-spacing: the dataset statistics hold no spacing");
    const target = spacing.target as [number, number, number];
    const out = applyResample(subject, { spacing: target, grid: p.grid }, p, ctx);
    return { ...out, record: { ...out.record, datasetSpacing: spacing } };
  },
});
