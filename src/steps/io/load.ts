import { z } from "zod";
import { defineStep } from "../step.ts";
import { NAN_POLICIES } from "../../volume/nan.ts";

const params = z.object({
  labels: z.array(z.string().min(1)).default(["label"]).describe(
    "Roles (manifest columns) holding label maps: never interpolated, never cast to float",
  ),
  roles: z.array(z.string().min(1)).optional().describe(
    "Roles to read (default: every path column of the manifest)",
  ),
  nan: z.enum(NAN_POLICIES).default("keep").describe(
    "NaN voxels: keep (B-spline and Gaussian smoothing then spread them, with a warning), zero (replace by 0, counted in provenance) or error (the subject fails)",
  ),
}).strict();

/** Reads a subject's files, one volume per role (the runner does the I/O). */
export const load = defineStep({
  name: "load",
  kind: "source",
  summary: "Read each manifest role of a subject as a NIfTI volume",
  params,
  example: "- step: load\n  labels: [label]",
});
