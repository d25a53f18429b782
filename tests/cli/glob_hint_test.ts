import assert from "node:assert/strict";
import { checkExpandedGlob, suggestPattern } from "../../src/cli/glob_hint.ts";
import { UsageError } from "../../src/errors.ts";

Deno.test("suggestPattern rebuilds the pattern a shell expanded", () => {
  assert.equal(suggestPattern(["scans/a.nii.gz", "scans/b.nii.gz"]), "'scans/*.nii.gz'");
  assert.equal(suggestPattern(["s/a_t1.nii.gz", "s/b_t1.nii.gz"]), "'s/*_t1.nii.gz'");
  assert.equal(suggestPattern(["a.nii", "b.nii"]), "'*.nii'");
  assert.equal(
    suggestPattern(["data/x/t1.nii.gz", "data/y/t1.nii.gz"]),
    "'data/*/t1.nii.gz' --id-from dir",
  );
  // Different extensions share only ".gz": the pattern keeps the first file's NIfTI extension.
  assert.equal(suggestPattern(["d/a.nii.gz", "d/b.img.gz"]), "'d/*.nii.gz'");
});

Deno.test("checkExpandedGlob accepts a quoted pattern and no stray files, refuses the rest", () => {
  checkExpandedGlob("scans/*.nii.gz", []);
  checkExpandedGlob(undefined, []);
  checkExpandedGlob(undefined, ["extra.yaml"]); // not NIfTI: left to the command
  assert.throws(
    () => checkExpandedGlob("scans/a.nii.gz", ["scans/b.nii.gz"]),
    (e: unknown) =>
      e instanceof UsageError && e.issues[0].path === "--input" &&
      e.issues[0].message.endsWith("quote it, e.g. --input 'scans/*.nii.gz'"),
  );
  assert.throws(
    () => checkExpandedGlob(undefined, ["scans/a.nii.gz", "scans/b.nii.gz"]),
    /Cannot use "scans\/a.nii.gz" here \(and 1 more NIfTI files\).*--input 'scans\/\*.nii.gz'/,
  );
});
