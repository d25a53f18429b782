import { z } from "zod";
import { deriveStem } from "../../nifti/nifti_paths.ts";
import { DTYPES, ROUNDINGS } from "../../volume/dtype.ts";
import { defineStep, type SinkOutput } from "../step.ts";
import { renderName, validateNameTemplate } from "./name_template.ts";
import { previewPathOf, writePreview } from "./preview.ts";

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
  preview: z.boolean().optional().describe(
    "Also write a PNG preview beside each output (same name, .png): three orthogonal slices in world orientation, label maps outlined; default false (also `run --preview`)",
  ),
  previewWindow: z.tuple([z.number(), z.number()]).optional().describe(
    "Grey window [lo, hi] of the previews in output units; default the 1st-99th percentile of each image",
  ),
}).strict().refine((p) => !p.previewWindow || p.previewWindow[0] < p.previewWindow[1], {
  message: "previewWindow must be [lo, hi] with lo < hi",
  path: ["previewWindow"],
}).prefault({});

/** Writes a subject's volumes as NIfTI-1 files. */
export const save = defineStep({
  name: "save",
  kind: "sink",
  summary: "Write every role of a subject as NIfTI-1 under the output directory",
  params,
  example: '- step: save\n  name: "{id}_{role}.nii.gz"\n  dtype: auto',
  checkOutputs({ name, format }, context) {
    if (typeof name !== "string") return [];
    const problems = validateNameTemplate(name, context);
    // Without a .nii / .nii.gz ending the sink appends the format's extension.
    const ext = /\.nii\.gz$/i.test(name) ? "nii.gz" : /\.nii$/i.test(name) ? "nii" : undefined;
    if (ext && (format === "nii" || format === "nii.gz") && format !== ext) {
      problems.push(`the name ends in .${ext} but format is ${format}`);
    }
    return problems.map((p) => ({ key: "name", message: `Cannot use name "${name}": ${p}` }));
  },
  outputName({ name, format }, values) {
    const rendered = renderName(name, values);
    const base = rendered.replace(/\.nii(\.gz)?$/i, "");
    return `${base}.${format ?? (/\.nii$/i.test(rendered) ? "nii" : "nii.gz")}`;
  },
  previewName: ({ preview }, path) => preview ? previewPathOf(path) : undefined,
  withPreview: (p, { window } = {}) => ({
    ...p,
    preview: true,
    ...(p.previewWindow === undefined && window
      ? { previewWindow: [window[0], window[1]] as [number, number] }
      : {}),
  }),
  encoding: ({ dtype, rounding }) => ({ dtype, rounding }),
  write(subject, p, io) {
    return subject.items.flatMap((item): SinkOutput[] => {
      const encoded = io.encode(item, p.dtype, p.rounding);
      const path = save.outputName(p, {
        id: subject.id,
        role: item.role,
        stem: deriveStem(item.sourcePath),
        copy: subject.copy,
      });
      io.writeVolume(path, encoded.volume, { level: p.compression });
      const output: SinkOutput = {
        role: item.role,
        copy: subject.copy,
        path,
        dtype: encoded.dtype,
        dtypeReason: encoded.reason,
        clamped: encoded.clamped,
        warnings: encoded.warnings,
      };
      if (!p.preview) return [output];
      const saved = encoded.volume, window = p.previewWindow;
      return [output, writePreview(subject, item, { output, saved, window, io })];
    });
  },
});
