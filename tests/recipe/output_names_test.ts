import assert from "node:assert/strict";
import { checkNameValue, checkRenderedPath, planOutputs } from "../../src/recipe/output_names.ts";
import type { Job } from "../../src/runner/messages.ts";
import { testPlan } from "../runner/_fake.ts";

const jobs: Job[] = [
  { id: "a", row: 2, paths: { image: "/d/x/scan.nii.gz", label: "/d/x/seg.nii.gz" } },
  { id: "b", row: 3, paths: { image: "/d/y/scan.nii.gz" } },
];

Deno.test("planOutputs renders every role and copy of every subject", () => {
  const plan = testPlan([
    { step: "load" },
    { step: "jitter", copies: 2 },
    { step: "save", name: "{id}/{role}_{copy}", format: "nii" },
  ]);
  const { outputs, issues } = planOutputs(plan, jobs);
  assert.deepEqual(issues, []);
  assert.deepEqual(outputs.map((o) => [o.row, o.path]), [
    [2, "a/image_0.nii"],
    [2, "a/image_1.nii"],
    [2, "a/label_0.nii"],
    [2, "a/label_1.nii"],
    [3, "b/image_0.nii"],
    [3, "b/image_1.nii"],
  ]);
});

Deno.test("planOutputs names both manifest rows of a clash, including letter case", () => {
  const plan = testPlan([{ step: "load" }, { step: "save", name: "{stem}.nii.gz" }]);
  const { issues } = planOutputs(plan, jobs, { file: "m.csv" });
  assert.equal(issues.length, 1);
  assert.equal(issues[0].file, "m.csv");
  assert.equal(issues[0].path, "row 3");
  assert.match(
    issues[0].message,
    /^Cannot write "scan.nii.gz": row 3 \(subject "b", role image\) and row 2 \(subject "a", role image\)/,
  );
  const cased = planOutputs(testPlan([{ step: "load" }, { step: "save" }]), [
    { id: "sub", row: 1, paths: { image: "/d/1.nii" } },
    { id: "SUB", row: 2, paths: { image: "/d/2.nii" } },
  ]);
  assert.equal(cased.issues.length, 1);
  assert.match(
    cased.issues[0].message,
    /^Cannot write "SUB_image.nii.gz": .* \(same name but for letter case: "sub_image.nii.gz"; case-insensitive file systems would overwrite it\)$/,
  );
});

Deno.test("planOutputs refuses a rendered name that would leave the output directory", () => {
  const plan = testPlan([{ step: "load" }, { step: "save", name: "{stem}/{role}.nii.gz" }]);
  const { outputs, issues } = planOutputs(plan, [
    { id: "a", row: 2, paths: { image: "/d/...nii.gz" } },
    { id: "b", row: 3, paths: { image: "/d/ok.nii.gz" } },
    { id: "c", row: 4, paths: { image: "/d/.nii.gz" } },
  ]);
  assert.deepEqual(outputs.map((o) => o.path), ["ok/image.nii.gz"]);
  assert.deepEqual(issues.map((i) => [i.path, i.message]), [
    [
      "row 2",
      'Cannot write "../image.nii.gz" for row 2 (subject "a", role image): {stem} is "..": it is "..", a directory reference',
    ],
    [
      "row 4",
      'Cannot write "/image.nii.gz" for row 4 (subject "c", role image): {stem} is "": it is empty',
    ],
  ]);
});

Deno.test("checkNameValue and checkRenderedPath name each unsafe value", () => {
  assert.equal(checkNameValue("sub-01"), undefined);
  assert.equal(checkNameValue("a\nb"), "it holds a control character");
  assert.equal(checkNameValue("a\u001b[31m"), "it holds a control character");
  assert.equal(checkNameValue("a\\b"), "it holds a path separator");
  assert.equal(checkNameValue("."), 'it is ".", a directory reference');
  assert.equal(checkRenderedPath("a/b.nii", "x/x.nii"), undefined);
  assert.match(checkRenderedPath("a/b/c.nii", "x/x.nii")!, /adds a path separator/);
  assert.match(checkRenderedPath("a/./c.nii")!, /path segment/);
  assert.match(checkRenderedPath("a//c.nii")!, /path segment/);
});
