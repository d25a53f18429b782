/**
 * `<out>/dataset-stats.json` is a run-level file (like manifest.csv): a run replaces only the
 * one an earlier run there recorded (provenance `runFiles`) or one with the same bytes, and
 * never a file medprep did not write.
 */
import assert from "node:assert/strict";
import { createDataset } from "./_dataset.ts";
import { runCli } from "../cli/_run.ts";
import { sha256File } from "../../src/nifti/hash.ts";

const RECIPE = `version: 1
name: pooled
steps:
  - step: load
    labels: [label]
  - step: normalize
    method: zscore
    over: dataset
  - step: save
`;

Deno.test("dataset-stats.json: a foreign file stops the run untouched; the run's own is recorded", async () => {
  const ds = await createDataset({ count: 3, recipe: RECIPE });
  const out = `${ds.dir}/out`;
  const args = ["run", ds.recipe, "--manifest", ds.manifest, "--out", out, "--quiet"];
  try {
    Deno.mkdirSync(out);
    Deno.writeTextFileSync(`${out}/dataset-stats.json`, '{"mine": true}\n');
    const refused = await runCli(args);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /dataset-stats\.json": a file medprep did not write/);
    assert.equal(Deno.readTextFileSync(`${out}/dataset-stats.json`), '{"mine": true}\n');
    assert.deepEqual([...Deno.readDirSync(out)].map((e) => e.name).sort(), ["dataset-stats.json"]);

    Deno.removeSync(`${out}/dataset-stats.json`);
    const run = await runCli(args);
    assert.equal(run.code, 0, run.stderr);
    const prov = JSON.parse(Deno.readTextFileSync(`${out}/provenance.json`));
    const rec = prov.runFiles.find((r: { path: string }) => r.path === "dataset-stats.json");
    assert.equal(rec?.sha256, await sha256File(`${out}/dataset-stats.json`));
    // The same run again: the recorded file is the run's own, replaced without a word.
    const again = await runCli([...args, "--resume"]);
    assert.equal(again.code, 0, again.stderr);
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});
