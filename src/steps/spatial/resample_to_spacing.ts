import { z } from "zod";
import { defineStep } from "../step.ts";
import { perAxis, resampleCommon } from "./resample_params.ts";
import { applyResample, planResample } from "./resample_apply.ts";

const params = z.object({
  spacing: perAxis(z.number().positive().max(1e4)).describe(
    "Output voxel spacing in mm per axis [x, y, z]; null keeps that axis",
  ),
  grid: z.enum(["center", "origin", "edge"]).default("center").describe(
    "Sampling grid: center (field of view centred and kept, MRtrix3 mrgrid), origin (first voxel centre kept, SimpleITK/ITK) or edge (size ceil(N*s/t), outer edge of the first voxel kept: TorchIO Resample(spacing), which is not center); corners only applies to resample-to-size",
  ),
  ...resampleCommon,
}).strict();

/** Resamples every role to a given voxel spacing in mm. */
export const resampleToSpacing = defineStep({
  name: "resample-to-spacing",
  kind: "spatial",
  summary: "Resample to a voxel spacing in mm",
  params,
  example: "- step: resample-to-spacing\n  spacing: [1, 1, 1]\n  interpolation: linear",
  plan(grid, p) {
    return planResample(grid, { spacing: p.spacing, grid: p.grid });
  },
  apply(subject, p, ctx) {
    return applyResample(subject, { spacing: p.spacing, grid: p.grid }, p, ctx);
  },
});
