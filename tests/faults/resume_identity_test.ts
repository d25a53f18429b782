/**
 * Issue 11.8: provenance identifies medprep's own code (git commit when available, a sha256
 * of its sources always) and `--resume` prints one reason per rebuilt subject.
 */
import assert from "node:assert/strict";
import { runBatch } from "../../src/runner/batch.ts";
import { createDataset } from "../runner/_dataset.ts";
import { captureStderr } from "./_resume.ts";

const SIMPLE = `version: 1
name: simple
seed: 1
steps:
  - step: load
    labels: [label]
  - step: resample-to-spacing
    spacing: [2, 2, 2]
  - step: save
`;

Deno.test("provenance records medprep's source sha256 and git commit", async () => {
  const ds = await createDataset({ count: 1, recipe: SIMPLE });
  try {
    const out = `${ds.dir}/out`;
    const opts = { quiet: true, command: ["t"], recipe: ds.recipe, manifest: ds.manifest, out };
    assert.equal(await runBatch(opts), 0);
    const prov = JSON.parse(await Deno.readTextFile(`${out}/provenance.json`));
    assert.match(prov.tool.source.sha256, /^[0-9a-f]{64}$/);
    assert.ok(prov.tool.source.files > 50, `files: ${prov.tool.source.files}`);
    assert.match(prov.tool.git.commit, /^[0-9a-f]{40}$/);
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});

Deno.test("--resume prints one reason per rebuilt subject", async () => {
  const ds = await createDataset({ count: 5, recipe: SIMPLE });
  try {
    const out = `${ds.dir}/out`;
    const opts = { command: ["t"], recipe: ds.recipe, manifest: ds.manifest, out, workers: 2 };
    assert.equal(await runBatch({ ...opts, quiet: true }), 0);
    await Deno.copyFile(`${ds.dir}/in/sub-05_ct.nii.gz`, `${ds.dir}/in/sub-01_ct.nii.gz`);
    await Deno.remove(`${out}/sub-02_label.nii.gz`);
    await Deno.writeTextFile(`${out}/sub-03_image.nii.gz`, "not medprep's");
    const { value, lines } = await captureStderr(() => runBatch({ ...opts, resume: true }));
    assert.equal(value, 0);
    const reasons = lines.filter((l) => l.includes("rebuild")).sort();
    assert.deepEqual(reasons, [
      'medprep: --resume rebuilds "sub-01": input changed',
      'medprep: --resume rebuilds "sub-02": output missing',
      'medprep: --resume rebuilds "sub-03": output changed',
    ]);
    // medprep's own code changed (as recorded): every subject is rebuilt, with that reason.
    const path = `${out}/provenance.json`;
    const prov = JSON.parse(await Deno.readTextFile(path));
    prov.tool.source.sha256 = "0".repeat(64);
    await Deno.writeTextFile(path, JSON.stringify(prov));
    const again = await captureStderr(() => runBatch({ ...opts, resume: true }));
    assert.equal(again.value, 0);
    assert.deepEqual(
      again.lines.filter((l) => l.includes("rebuild")),
      ds.ids.map((id) => `medprep: --resume rebuilds "${id}": medprep changed`),
    );
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});
