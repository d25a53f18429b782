import assert from "node:assert/strict";
import { readCsv } from "../../src/manifest/csv.ts";
import { createOutputManifest, runFileNames } from "../../src/provenance/output_manifest.ts";
import type { OutputRecord, Provenance, SubjectRecord } from "../../src/provenance/types.ts";

const out = (role: string, path: string, extra: Partial<OutputRecord> = {}): OutputRecord => ({
  role,
  copy: 0,
  path,
  sha256: "0".repeat(64),
  size: 1,
  dtype: "float32",
  dtypeReason: "",
  clamped: 0,
  ...extra,
});

function subject(
  id: string,
  outputs: OutputRecord[],
  extra: Partial<SubjectRecord> = {},
): SubjectRecord {
  return {
    id,
    row: 1,
    status: "done",
    inputs: [
      {
        role: "image",
        label: false,
        path: "",
        sha256: "",
        dtype: "int16",
        shape: [2, 2, 2],
        frames: 1,
        spacing: [1, 1, 1],
        affine: [],
      },
      {
        role: "label",
        label: true,
        path: "",
        sha256: "",
        dtype: "uint8",
        shape: [2, 2, 2],
        frames: 1,
        spacing: [1, 1, 1],
        affine: [],
      },
    ],
    steps: [],
    outputs,
    warnings: [],
    ...extra,
  };
}

function provenance(subjects: SubjectRecord[]): Provenance {
  return {
    recipe: {
      path: "/r/ct.yaml",
      sha256: "ab".repeat(32),
      git: null,
      resolved: { version: 1, name: "ct", seed: 0, steps: [] },
    },
    subjects,
  } as unknown as Provenance;
}

Deno.test("createOutputManifest writes id, one column per output, then metadata (by name); done subjects in provenance id order", () => {
  const { csv, dataset } = createOutputManifest(provenance([
    subject("s10", [out("image", "s10_image.nii.gz"), out("label", "s10_label.nii.gz")], {
      metadata: { split: "test", site: "b, c" },
    }),
    subject("s2", [out("image", "s2_image.nii.gz"), out("label", "s2_label.nii.gz")], {
      metadata: { split: "train", age: 41 },
    }),
    subject("s3", [], { status: "failed" }),
  ]));
  const rows = readCsv(csv).map((r) => r.fields);
  assert.deepEqual(rows, [
    ["id", "image", "label", "age", "site", "split"],
    ["s10", "s10_image.nii.gz", "s10_label.nii.gz", "", "b, c", "test"],
    ["s2", "s2_image.nii.gz", "s2_label.nii.gz", "41", "", "train"],
  ]);
  const d = JSON.parse(dataset);
  assert.equal(d.name, "ct");
  assert.deepEqual(d.modality, { "0": "image" });
  assert.equal(d.tensorImageSize, "3D");
  assert.equal(d.numTraining, 1);
  assert.equal(d.numTest, 1);
  assert.deepEqual(d.training, [
    { id: "s2", image: "s2_image.nii.gz", label: "s2_label.nii.gz", age: 41, split: "train" },
  ]);
  assert.deepEqual(d.test[0].id, "s10");
});

Deno.test("createOutputManifest names npz, sidecar and augmented-copy columns", () => {
  const npz = createOutputManifest(provenance([
    subject("a", [
      out("image+label", "a.npz", { arrays: ["image", "label"] }),
      out("image+label", "a.json", { sidecarOf: "a.npz", dtype: "json" }),
    ]),
  ]));
  assert.deepEqual(readCsv(npz.csv).map((r) => r.fields), [
    ["id", "npz", "npz_sidecar"],
    ["a", "a.npz", "a.json"],
  ]);
  const copies = createOutputManifest(provenance([
    subject("a", [
      out("image", "a_image_0.npy"),
      out("image", "a_image_0.json", { sidecarOf: "a_image_0.npy" }),
      out("image", "a_image_1.npy", { copy: 1 }),
      out("image", "a_image_1.json", { copy: 1, sidecarOf: "a_image_1.npy" }),
    ]),
  ]));
  assert.deepEqual(readCsv(copies.csv)[0].fields, [
    "id",
    "image_copy0",
    "image_sidecar_copy0",
    "image_copy1",
    "image_sidecar_copy1",
  ]);
});

Deno.test("runFileNames follows the provenance file name (shards keep their own)", () => {
  assert.deepEqual(runFileNames("provenance.json"), {
    manifest: "manifest.csv",
    dataset: "dataset.json",
  });
  assert.deepEqual(runFileNames("provenance.shard-2-of-4.json"), {
    manifest: "manifest.shard-2-of-4.csv",
    dataset: "dataset.shard-2-of-4.json",
  });
});
