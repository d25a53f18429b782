import { z } from "zod";
import { DTYPES, ROUNDINGS } from "../../volume/dtype.ts";
import { defineStep } from "../step.ts";

const params = z.object({
  name: z.string().min(1).default("{id}_{role}.nii.gz").describe(
    "Output file name template under the output directory: {id}, {role}, {stem} (input file name without extension), {copy}",
  ),
  dtype: z.enum(["auto", "keep", ...DTYPES]).default("auto").describe(
    "Stored type: auto (input type until values become fractional, then float32), keep (the input's type), or an explicit type; integers rounded half away from zero and clamped",
  ),
  rounding: z.enum(ROUNDINGS).default("nearest").describe(
    "Integer outputs: nearest (half away from zero) or truncate (toward zero after clamping, as SimpleITK/ITK's cast)",
  ),
  compression: z.number().int().min(0).max(9).default(6).describe(
    "Gzip level for .nii.gz outputs (0 = store, 9 = smallest)",
  ),
  format: z.enum(["nii.gz", "nii"]).optional().describe(
    "File format; by default taken from the name's extension (.nii.gz unless it ends in .nii)",
  ),
}).strict().prefault({});

/** Writes a subject's volumes as NIfTI-1 files (the runner does the I/O). */
export const save = defineStep({
  name: "save",
  kind: "sink",
  summary: "Write every role of a subject as NIfTI-1 under the output directory",
  params,
  example: '- step: save\n  name: "{id}_{role}.nii.gz"\n  dtype: auto',
});
