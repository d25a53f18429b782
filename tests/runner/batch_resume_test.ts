import assert from "node:assert/strict";
import { runBatch } from "../../src/runner/batch.ts";
import { mergeProvenance } from "../../src/provenance/merge.ts";
import { readShardFiles } from "../../src/cli/merge_provenance.ts";
import { comparable, createDataset, readTree } from "./_dataset.ts";
import { createOutputManifest } from "../../src/provenance/output_manifest.ts";
import { writeNiftiSync } from "../../src/nifti/nifti_write.ts";
import { makeVolume } from "../_volumes.ts";

const SIMPLE = `version: 1
name: simple
seed: 1
steps:
  - step: load
  - step: resample-to-spacing
    spacing: [2, 2, 2]
  - step: normalize
    method: zscore
  - step: save
`;
const quiet = { quiet: true, command: ["test"] };

async function mtimes(dir: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const name of (await readTree(dir)).keys()) {
    out.set(name, (await Deno.stat(`${dir}/${name}`)).mtime!.getTime());
  }
  return out;
}

Deno.test("runBatch --resume keeps unchanged subjects and rebuilds changed ones", async () => {
  const ds = await createDataset({ count: 3, recipe: SIMPLE });
  try {
    const out = `${ds.dir}/out`;
    const opts = { ...quiet, recipe: ds.recipe, manifest: ds.manifest, out, workers: 2 };
    assert.equal(await runBatch(opts), 0);
    const first = await readTree(out);
    const before = await mtimes(out);
    await new Promise((r) => setTimeout(r, 20));
    // Change one input: only that subject is rebuilt.
    writeNiftiSync(
      `${ds.dir}/in/sub-02_ct.nii.gz`,
      makeVolume({ shape: [12, 10, 8], fn: (i) => i }),
    );
    assert.equal(await runBatch({ ...opts, resume: true }), 0);
    const after = await mtimes(out);
    assert.equal(after.get("sub-01_image.nii.gz"), before.get("sub-01_image.nii.gz"));
    assert.equal(after.get("sub-03_label.nii.gz"), before.get("sub-03_label.nii.gz"));
    assert.notEqual(after.get("sub-02_image.nii.gz"), before.get("sub-02_image.nii.gz"));
    const second = await readTree(out);
    assert.notDeepEqual(second.get("sub-02_image.nii.gz"), first.get("sub-02_image.nii.gz"));
    // A removed output is rebuilt with the same bytes.
    await Deno.remove(`${out}/sub-03_label.nii.gz`);
    assert.equal(await runBatch({ ...opts, resume: true }), 0);
    assert.deepEqual(
      (await readTree(out)).get("sub-03_label.nii.gz"),
      first.get("sub-03_label.nii.gz"),
    );
    // A different run seed changes the resolved recipe: refused (issue 11.9) unless --force,
    // which removes the recorded outputs, so everything is rebuilt.
    const beforeSeed = await mtimes(out);
    await new Promise((r) => setTimeout(r, 20));
    await assert.rejects(runBatch({ ...opts, resume: true, seed: 9 }), /seed 9.*seed 1/);
    assert.equal(await runBatch({ ...opts, resume: true, seed: 9, force: true }), 0);
    const afterSeed = await mtimes(out);
    assert.notEqual(afterSeed.get("sub-01_image.nii.gz"), beforeSeed.get("sub-01_image.nii.gz"));
    const prov = JSON.parse(await Deno.readTextFile(`${out}/provenance.json`));
    assert.equal(prov.seed, 9);
    assert.equal(prov.subjects.length, 3);
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});

Deno.test("runBatch 3 shards + mergeProvenance equal a single run", async () => {
  const ds = await createDataset({ count: 7, recipe: SIMPLE });
  try {
    const single = `${ds.dir}/single`, sharded = `${ds.dir}/sharded`;
    const base = { ...quiet, recipe: ds.recipe, manifest: ds.manifest, workers: 2 };
    assert.equal(await runBatch({ ...base, out: single }), 0);
    for (const shard of ["1/3", "2/3", "3/3"]) {
      assert.equal(await runBatch({ ...base, out: sharded, shard }), 0);
    }
    const shards = await readShardFiles(sharded);
    assert.deepEqual(shards.map((s) => s.file.split("/").pop()), [
      "provenance.shard-1-of-3.json",
      "provenance.shard-2-of-3.json",
      "provenance.shard-3-of-3.json",
    ]);
    assert.deepEqual(shards.map((s) => s.provenance.subjects.length), [3, 2, 2]);
    const { merged, problems } = mergeProvenance(shards, ["merge"]);
    assert.deepEqual(problems, []);
    const singleProv = JSON.parse(await Deno.readTextFile(`${single}/provenance.json`));
    // The run files are the merge's to write (merge-provenance); their text equals the single run's.
    const singleFiles = singleProv.runFiles;
    delete singleProv.runFiles;
    assert.deepEqual(comparable(merged as never), comparable(singleProv));
    assert.equal(singleFiles.length, 2);
    const texts = createOutputManifest(merged);
    assert.equal(texts.csv, await Deno.readTextFile(`${single}/manifest.csv`));
    assert.equal(texts.dataset, await Deno.readTextFile(`${single}/dataset.json`));
    const a = await readTree(single), b = await readTree(sharded);
    const runFile = (name: string) => /^(provenance|manifest|dataset|report)[.]/.test(name);
    for (const [name, bytes] of a) {
      if (!runFile(name)) assert.deepEqual(b.get(name), bytes, name);
    }
    // 4 run files of the single run; 4 per shard (provenance, manifest, dataset, report).
    assert.equal(b.size, a.size - 4 + 3 * 4);
    // Missing shard 2: reported.
    const partial = mergeProvenance(shards.filter((_, i) => i !== 1), ["merge"]);
    assert.ok(partial.problems.includes("Shard 2 of 3 is missing"));
    assert.ok(partial.problems.some((p) => /Subject "sub-02" is in no shard/.test(p)));
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});
