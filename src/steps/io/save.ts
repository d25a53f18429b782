import { z } from "zod";
import { deriveStem } from "../../nifti/nifti_paths.ts";
import { DTYPES, ROUNDINGS } from "../../volume/dtype.ts";
import { LAYOUTS } from "../../volume/layout.ts";
import { defineStep, type SinkOutput } from "../step.ts";
import { validateNameTemplate } from "./name_template.ts";
import { previewPathOf, writePreview } from "./preview.ts";
import {
  checkFormatName,
  defaultName,
  formatOf,
  FORMATS,
  isArrayFormat,
  saveFiles,
} from "./output_format.ts";
import { writeArrays } from "./save_arrays.ts";

const params = z.object({
  name: z.string().min(1).optional().describe(
    "Output file name template under the output directory: {id}, {role}, {stem} (input file name without extension), {copy}; default {id}_{role}.nii.gz, {id}_{role}.npy, or {id}.npz (all roles in one file) by format",
  ),
  dtype: z.enum(["auto", "keep", ...DTYPES]).default("auto").describe(
    "Stored type: auto (input type until values become fractional, then float32), keep (the input's type), or an explicit type; integers rounded half away from zero and clamped",
  ),
  rounding: z.enum(ROUNDINGS).default("nearest").describe(
    "Integer outputs: nearest (half away from zero) or truncate (toward zero after clamping, as SimpleITK/ITK's cast)",
  ),
  compression: z.number().int().min(0).max(9).default(6).describe(
    "Gzip level for .nii.gz outputs, deflate level for .npz members (0 = store, 9 = smallest)",
  ),
  format: z.enum(FORMATS).optional().describe(
    "File format: nii.gz, nii, npy (one array per role) or npz (one file per subject, an array per role, as np.savez); by default taken from the name's extension (.nii.gz when it has none)",
  ),
  preview: z.boolean().optional().describe(
    "Also write a PNG preview beside each NIfTI output (same name, .png): three orthogonal slices in world orientation, label maps outlined; default false (also `run --preview`)",
  ),
  previewWindow: z.tuple([z.number(), z.number()]).optional().describe(
    "Grey window [lo, hi] of the previews in output units; default the 1st-99th percentile of each image",
  ),
  layout: z.enum(LAYOUTS).optional().describe(
    "npy/npz array layout: channels-first (C, X, Y, Z) as PyTorch/MONAI expect (default), or channels-last (X, Y, Z, C) for Keras; C = 1 for a 3D volume",
  ),
}).strict().superRefine((p, ctx) => {
  if (p.layout !== undefined && !isArrayFormat(formatOf(p))) {
    ctx.addIssue({
      code: "custom",
      path: ["layout"],
      message: `layout applies to npy and npz outputs only; this save writes ${formatOf(p)}`,
    });
  }
  if (p.previewWindow && !(p.previewWindow[0] < p.previewWindow[1])) {
    ctx.addIssue({
      code: "custom",
      path: ["previewWindow"],
      message: "previewWindow must be [lo, hi] with lo < hi",
    });
  }
  if (p.preview && isArrayFormat(formatOf(p))) {
    ctx.addIssue({
      code: "custom",
      path: ["preview"],
      message: `previews are written beside NIfTI outputs only; this save writes ${formatOf(p)}`,
    });
  }
}).transform((p) => {
  const format = formatOf(p);
  return {
    ...p,
    name: p.name ?? defaultName(format),
    ...(isArrayFormat(format) ? { format, layout: p.layout ?? "channels-first" as const } : {}),
  };
}).prefault({});

/** Writes a subject's volumes as NIfTI-1 files or NumPy arrays with a JSON sidecar. */
export const save = defineStep({
  name: "save",
  kind: "sink",
  summary: "Write every role of a subject as NIfTI-1, or as NumPy .npy/.npz with a JSON sidecar",
  params,
  example: '- step: save\n  name: "{id}_{role}.nii.gz"\n  dtype: auto',
  checkOutputs(written, context) {
    const format = FORMATS.find((f) => f === written.format);
    const name = typeof written.name === "string"
      ? written.name
      : written.name === undefined
      ? defaultName(formatOf(written))
      : undefined;
    if (name === undefined) return [];
    const grouped = formatOf({ name, format }) === "npz";
    const problems = [
      ...validateNameTemplate(name, grouped ? { ...context, singleRole: true } : context),
      ...checkFormatName(name, format),
    ];
    return problems.map((p) => ({ key: "name", message: `Cannot use name "${name}": ${p}` }));
  },
  outputName(p, values) {
    return saveFiles(p, { id: values.id, copy: values.copy, roles: [values] })[0].path;
  },
  previewName: (p, path) =>
    p.preview && !isArrayFormat(formatOf(p)) ? previewPathOf(path) : undefined,
  withPreview: (p, { window } = {}) =>
    isArrayFormat(formatOf(p)) ? p : {
      ...p,
      preview: true,
      ...(p.previewWindow === undefined && window
        ? { previewWindow: [window[0], window[1]] as [number, number] }
        : {}),
    },
  outputFiles: (p, values) => saveFiles(p, values),
  encoding: ({ dtype, rounding }) => ({ dtype, rounding }),
  write(subject, p, io) {
    const format = formatOf(p);
    const files = saveFiles(p, {
      id: subject.id,
      copy: subject.copy,
      roles: subject.items.map((it) => ({ role: it.role, stem: deriveStem(it.sourcePath) })),
    });
    if (isArrayFormat(format)) {
      return writeArrays(
        subject,
        { ...p, format, layout: p.layout ?? "channels-first" },
        files,
        io,
      );
    }
    return subject.items.flatMap((item, n): SinkOutput[] => {
      const encoded = io.encode(item, p.dtype, p.rounding);
      const path = files[n].path;
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
