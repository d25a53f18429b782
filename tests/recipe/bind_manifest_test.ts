import { deepEqual, equal, ok, throws } from "node:assert/strict";
import { ManifestError } from "../../src/errors.ts";
import type { Manifest } from "../../src/manifest/types.ts";
import { bindManifest } from "../../src/recipe/bind_manifest.ts";
import { validateRecipePlan } from "../../src/recipe/validate.ts";

const plan = (load: string) =>
  validateRecipePlan(
    `version: 1\nsteps:\n  - step: load\n${load}  - step: save\n`,
    "r.yaml",
  ).plan;

const manifest = (roles: string[], metadata: string[] = []): Manifest => ({
  source: "m.csv",
  kind: "csv",
  roles,
  metadata,
  rows: [{
    id: "a",
    row: 2,
    paths: Object.fromEntries(roles.map((r) => [r, `/d/a_${r}.nii.gz`])),
  }],
});

Deno.test("bindManifest refuses a written label role the manifest lacks, listing its columns", () => {
  throws(
    () => bindManifest(plan("    labels: [label]\n"), manifest(["img", "seg"], ["split"])),
    (e: unknown) => {
      ok(e instanceof ManifestError);
      deepEqual(e.message.split("\n"), [
        'm.csv: Cannot use role "label" of steps[0].labels: the manifest has no such column (roles: img, seg; metadata: split)',
      ]);
      return true;
    },
  );
});

Deno.test("bindManifest warns when the default label role is absent and suggests a label-like column", () => {
  const bound = bindManifest(plan(""), manifest(["img", "seg"]));
  deepEqual(bound.labels, []);
  deepEqual(bound.warnings, [
    'm.csv: no column named "label", so no role is read as a label map (roles: img, seg); if seg holds label maps, write `labels: [seg]` in steps[0]',
  ]);
  for (const column of ["mask", "label_mc", "liver_seg", "gt", "brain_mask"]) {
    const w = bindManifest(plan(""), manifest(["image", column])).warnings;
    equal(w.length, 1, column);
    ok(w[0].endsWith(`write \`labels: [${column}]\` in steps[0]`), w[0]);
  }
  const plain = bindManifest(plan(""), manifest(["t1", "t2"])).warnings;
  ok(plain[0].endsWith("write `labels: [...]` in steps[0] to name label roles"), plain[0]);
  // A written list, a present default and a single image role need no warning.
  deepEqual(bindManifest(plan("    labels: [seg]\n"), manifest(["img", "seg"])).warnings, []);
  deepEqual(bindManifest(plan(""), manifest(["image", "label"])).labels, ["label"]);
  deepEqual(bindManifest(plan(""), manifest(["image", "label"])).warnings, []);
  deepEqual(bindManifest(plan(""), manifest(["image"])).warnings, []);
});

Deno.test("bindManifest checks a written `labels: [label]` even though it equals the default", () => {
  // Today's bug: the check was skipped when the written list equals the default.
  throws(
    () => bindManifest(plan("    labels: [label]\n"), manifest(["img", "seg"])),
    ManifestError,
  );
  equal(bindManifest(plan("    labels: [label]\n"), manifest(["img", "label"])).labels[0], "label");
});

Deno.test("bindManifest refuses load.roles naming a metadata column or an unknown one", () => {
  throws(
    () => bindManifest(plan("    roles: [image, split, t2]\n"), manifest(["image"], ["split"])),
    (e: unknown) => {
      ok(e instanceof ManifestError);
      deepEqual(e.message.split("\n"), [
        'm.csv: Cannot use role "split" of steps[0].roles: it is a metadata column (none of its cells names a .nii, .nii.gz, .hdr or .img file) (roles: image; metadata: split)',
        'm.csv: Cannot use role "t2" of steps[0].roles: the manifest has no such column (roles: image; metadata: split)',
      ]);
      return true;
    },
  );
  const bound = bindManifest(plan("    roles: [image]\n"), manifest(["image", "t2"], ["split"]));
  deepEqual(bound.outputs.map((o) => o.path), ["a_image.nii.gz"]);
  deepEqual(bound.metadata, ["split"]);
});
