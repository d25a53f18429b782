import { z } from "zod";
import { defineStep } from "../step.ts";
import { perAxis, resampleCommon } from "./resample_params.ts";
import { applyResample, planResample, resampleMovesValues } from "./resample_apply.ts";

const params = z.object({
  size: perAxis(z.number().int().min(1).max(65535)).describe(
    "Output voxels per axis [x, y, z]; null keeps that axis. Changes the physical aspect ratio unless the field of view is isotropic",
  ),
  grid: z.enum(["center", "origin", "corners"]).default("center").describe(
    "Sampling grid: center (field of view kept, mrgrid/TorchIO Resize), origin (first voxel centre kept, SimpleITK), corners (first and last centres kept, scipy zoom)",
  ),
  ...resampleCommon,
}).strict();

/** Resamples every role to a given number of voxels per axis. */
export const resampleToSize = defineStep({
  name: "resample-to-size",
  kind: "spatial",
  summary: "Resample to a fixed number of voxels per axis",
  params,
  example:
    "- step: resample-to-size\n  size: [224, 224, 128]\n  interpolation: bspline\n  grid: origin",
  movesValues: resampleMovesValues,
  plan(grid, p) {
    return planResample(grid, { size: p.size, grid: p.grid });
  },
  apply(subject, p, ctx) {
    return applyResample(subject, { size: p.size, grid: p.grid }, p, ctx);
  },
});
