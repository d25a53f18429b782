import { deepEqual, equal } from "node:assert/strict";
import { deriveStem } from "../../../src/nifti/nifti_paths.ts";
import {
  parseNameTemplate,
  renderName,
  validateNameTemplate,
} from "../../../src/steps/io/name_template.ts";

const ONE = { copies: 1, singleRole: false };

Deno.test("parseNameTemplate lists placeholders and rejects unbalanced braces", () => {
  deepEqual(parseNameTemplate("{id}/{role}_{copy}.nii"), { placeholders: ["id", "role", "copy"] });
  equal(parseNameTemplate("{id_{role}.nii").error, 'unbalanced "{"');
  equal(parseNameTemplate("id}.nii").error, 'unbalanced "}"');
});

Deno.test("validateNameTemplate accepts names that cannot collide or escape", () => {
  deepEqual(validateNameTemplate("{id}_{role}.nii.gz", ONE), []);
  deepEqual(validateNameTemplate("{id}/{role}.nii", ONE), []);
  deepEqual(validateNameTemplate("{stem}_resampled.nii.gz", ONE), []);
  deepEqual(validateNameTemplate("{id}.nii.gz", { copies: 1, singleRole: true }), []);
  deepEqual(
    validateNameTemplate("{id}_{role}_{copy}.nii.gz", { copies: 5, singleRole: false }),
    [],
  );
});

Deno.test("validateNameTemplate reports collisions and escapes", () => {
  deepEqual(validateNameTemplate("{role}.nii.gz", ONE), [
    "every subject would write the same file; add {id}",
  ]);
  deepEqual(validateNameTemplate("{id}.nii.gz", ONE), [
    "every role of a subject would write the same file; add {role}",
  ]);
  deepEqual(validateNameTemplate("{id}_{role}.nii.gz", { copies: 3, singleRole: false }), [
    "the 3 augmented copies would write the same file; add {copy}",
  ]);
  deepEqual(validateNameTemplate("a/../../{id}_{role}.nii", ONE), [
    "`..` escapes the output directory",
  ]);
  deepEqual(validateNameTemplate("/out/{id}_{role}.nii", ONE), [
    "absolute paths escape the output directory; give a relative name",
  ]);
  deepEqual(validateNameTemplate("C:{id}_{role}.nii", ONE), [
    "absolute paths escape the output directory; give a relative name",
  ]);
  deepEqual(validateNameTemplate("{id}_{role}_{date}.nii", ONE), [
    "unknown placeholder {date}; use {id}, {role}, {stem} or {copy}",
  ]);
});

Deno.test("deriveStem drops the directory and NIfTI extensions only", () => {
  equal(deriveStem("/a/b/sub-01_T1w.nii.gz"), "sub-01_T1w");
  equal(deriveStem("x.NII"), "x");
  equal(deriveStem("scan.hdr"), "scan");
  equal(deriveStem("scan.img.gz"), "scan");
  equal(deriveStem("v1.2.nii"), "v1.2");
});

Deno.test("renderName substitutes every placeholder", () => {
  equal(
    renderName("{id}/{role}_{stem}_{copy}.nii.gz", {
      id: "s1",
      role: "label",
      stem: "ct",
      copy: 2,
    }),
    "s1/label_ct_2.nii.gz",
  );
});
