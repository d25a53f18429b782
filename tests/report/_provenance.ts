/** A synthetic provenance record for report tests: done, failed and warned subjects. */
import type { Provenance, SubjectRecord } from "../../src/provenance/types.ts";

const affine = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 2, 0], [0, 0, 0, 1]];

function subject(
  id: string,
  row: number,
  options: { status?: SubjectRecord["status"]; spacing?: number; warn?: string; error?: string },
): SubjectRecord {
  const status = options.status ?? "done";
  const spacing: [number, number, number] = [options.spacing ?? 1, options.spacing ?? 1, 2];
  const input = (role: string, label: boolean) => ({
    role,
    label,
    path: `/data/${id}_${role}.nii.gz`,
    sha256: "ab".repeat(32),
    dtype: label ? "uint8" : "int16",
    shape: [20 + row, 18, 10] as [number, number, number],
    frames: 1,
    spacing,
    affine,
  });
  const done = status === "done";
  return {
    id,
    row,
    status,
    inputs: [input("image", false), input("label", true)],
    steps: done
      ? [{
        index: 1,
        name: "resample-to-spacing",
        copy: 0,
        seed: 1,
        params: {},
        record: {},
        items: ["image", "label"].map((role) => ({
          role,
          dtype: role === "label" ? "uint8" : "float32",
          shape: [16, 16, 12] as [number, number, number],
          frames: 1,
          spacing: [1.5, 1.5, 1.5] as [number, number, number],
          affine,
        })),
        ms: 12.5,
      }]
      : [],
    outputs: done
      ? [
        ...["image", "label"].map((role) => ({
          role,
          copy: 0,
          path: `${id}/${role}.nii.gz`,
          sha256: "cd".repeat(32),
          size: 100,
          dtype: role === "label" ? "uint8" : "int16",
          dtypeReason: "input type",
          clamped: 0,
        })),
        {
          role: "image",
          copy: 0,
          path: `${id}/image.png`,
          sha256: "ef".repeat(32),
          size: 10,
          dtype: "png",
          dtypeReason: "preview",
          clamped: 0,
          previewOf: `${id}/image.nii.gz`,
        },
      ]
      : [],
    warnings: options.warn ? [options.warn] : [],
    ...(options.error
      ? { error: { step: 1, name: "resample-to-spacing", message: options.error } }
      : {}),
  };
}

/** Four subjects: two done (one with a warning), one failed, one with an HTML-ish id. */
export function makeProvenance(): Provenance {
  return {
    tool: {
      name: "medprep",
      version: "0.1.0",
      git: { commit: "0123abcd", dirty: false },
      source: null,
    },
    deno: { deno: "2.9.5", v8: "14", typescript: "5.9" },
    recipe: {
      path: "/r/recipe.yaml",
      sha256: "11".repeat(32),
      git: null,
      resolved: {
        version: 1,
        name: "demo <recipe>",
        seed: 42,
        steps: [
          { step: "load", params: { labels: ["label"] } },
          { step: "resample-to-spacing", params: { spacing: [1.5, 1.5, 1.5] } },
          { step: "save", params: { name: "{id}/{role}.nii.gz", preview: true } },
        ],
      },
    },
    seed: 42,
    manifest: { path: "/r/manifest.csv", glob: null, sha256: "22".repeat(32), kind: "csv" },
    command: ["medprep", "run", "recipe.yaml"],
    shard: null,
    started: "2026-01-01T00:00:00.000Z",
    finished: "2026-01-01T00:00:05.000Z",
    status: "failed",
    subjects: [
      subject("sub-01", 1, {}),
      subject("sub-02", 2, { spacing: 0.8, warn: "steps[1] (resample-to-spacing): 3 NaN voxels" }),
      subject("sub-03", 3, { status: "failed", error: 'Cannot read "x.nii": truncated <gzip>' }),
      subject("<b>x&y</b>", 4, { spacing: 1.2 }),
    ],
  };
}
