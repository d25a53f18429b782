import assert from "node:assert/strict";
import { reservedNameOf } from "../../src/recipe/reserved_names.ts";
import { lockFileName } from "../../src/runner/lock.ts";
import { provenanceFileName } from "../../src/runner/shard.ts";
import { journalPathOf } from "../../src/provenance/journal.ts";
import { runFileNames } from "../../src/provenance/output_manifest.ts";
import { reportPathOf } from "../../src/report/write_report.ts";
import { DATASET_STATS_FILE } from "../../src/runner/dataset_run.ts";
import { partialFileName } from "../../src/runner/fingerprint_recipe.ts";

Deno.test("reservedNameOf covers every name a run writes at the top of --out", () => {
  const names: string[] = [DATASET_STATS_FILE, partialFileName(2, 3)];
  for (const shard of [null, { index: 2, count: 3 }]) {
    const provenance = provenanceFileName(shard);
    const files = runFileNames(provenance);
    names.push(provenance, lockFileName(shard), files.manifest, files.dataset);
    names.push(
      journalPathOf(`/o/${provenance}`).slice(3),
      reportPathOf(`/o/${provenance}`).slice(3),
    );
  }
  const replay = "provenance.replay-sub-01-copy0.json"; // batch.ts
  names.push(replay, journalPathOf(`/o/${replay}`).slice(3));
  // Staging, new-staging, lock-aside, probe and atomic-write temporaries.
  names.push(".medprep-tmp-run-host-1", ".medprep-tmp-new-1", ".medprep-tmp-lock-1");
  names.push(".medprep-tmp-probe-1", ".medprep-tmp-1.json");
  assert.equal(names.length, 21);
  for (const name of names) {
    assert.equal(reservedNameOf(name), name, name);
    assert.equal(reservedNameOf(name.toUpperCase()), name.toUpperCase(), name);
    assert.equal(reservedNameOf(`${name}/image.nii.gz`), name, `${name} as a folder`);
  }
});

Deno.test("reservedNameOf leaves ordinary output names free", () => {
  for (
    const name of [
      "sub-01_image.nii.gz",
      "provenance_image.nii.gz",
      "dataset/image.nii.gz",
      "sub/provenance.json",
      "manifest.npz",
      "reports.html",
      "case.medprep.nii",
    ]
  ) {
    assert.equal(reservedNameOf(name), undefined, name);
  }
});
