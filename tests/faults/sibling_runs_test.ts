/**
 * One `--out` holds one recipe, whichever provenance file records it: a shard run, a whole run
 * and a replay each write their own provenance file, and each must respect the others' outputs
 * (an audit found a shard of another recipe overwriting a whole run's outputs with exit 0, and a
 * replay with other inputs overwriting the main run's output).
 */
import assert from "node:assert/strict";
import { runBatch } from "../../src/runner/batch.ts";
import { ManifestError } from "../../src/errors.ts";
import { createDataset, readTree } from "../runner/_dataset.ts";
import { spacingRecipe } from "./_faults.ts";

const names = (e: unknown) => e instanceof ManifestError ? e.message : String(e);

Deno.test("a shard of another recipe is refused in an --out holding a whole run, and the reverse; files untouched", async () => {
  const ds = await createDataset({ count: 4, recipe: spacingRecipe("first", 2) });
  try {
    const second = `${ds.dir}/second.yaml`;
    await Deno.writeTextFile(second, spacingRecipe("second", 3));
    const base = { quiet: true, command: ["t"], manifest: ds.manifest };
    // A whole run, then a shard of another recipe into the same folder.
    const whole = `${ds.dir}/whole`;
    assert.equal(await runBatch({ ...base, recipe: ds.recipe, out: whole }), 0);
    const before = await readTree(whole);
    await assert.rejects(
      runBatch({ ...base, recipe: second, out: whole, shard: "1/2" }),
      (e) => {
        assert.ok(e instanceof ManifestError, names(e));
        assert.match(e.message, /recipe "first"/);
        assert.match(e.message, /provenance\.json/);
        return true;
      },
    );
    // --force removes only what its own provenance file records: another file's run is refused.
    await assert.rejects(
      runBatch({ ...base, recipe: second, out: whole, shard: "1/2", force: true }),
      (e) => e instanceof ManifestError && /recipe "first"/.test(e.message),
    );
    assert.deepEqual(await readTree(whole), before, "the whole run's files are untouched");
    // Two shards, then a whole run of another recipe.
    const sharded = `${ds.dir}/sharded`;
    for (const shard of ["1/2", "2/2"]) {
      assert.equal(await runBatch({ ...base, recipe: ds.recipe, out: sharded, shard }), 0);
    }
    const shardedBefore = await readTree(sharded);
    await assert.rejects(
      runBatch({ ...base, recipe: second, out: sharded }),
      (e) => e instanceof ManifestError && /provenance\.shard-\d-of-2\.json/.test(e.message),
    );
    assert.deepEqual(await readTree(sharded), shardedBefore);
    // The same recipe is fine either way.
    assert.equal(await runBatch({ ...base, recipe: ds.recipe, out: sharded }), 0);
    assert.equal(await runBatch({ ...base, recipe: ds.recipe, out: whole, shard: "2/2" }), 0);
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});

Deno.test("a replay into an --out never overwrites an output another provenance there records", async () => {
  const ds = await createDataset({ count: 2, recipe: spacingRecipe("first", 2) });
  try {
    const out = `${ds.dir}/out`;
    const base = { quiet: true, command: ["t"], recipe: ds.recipe };
    assert.equal(await runBatch({ ...base, manifest: ds.manifest, out }), 0);
    const before = await readTree(out);
    // sub-01 now points at sub-02's files: its replay would make other bytes.
    const swapped = `${ds.dir}/swapped.csv`;
    await Deno.writeTextFile(
      swapped,
      "id,image,label\nsub-01,in/sub-02_ct.nii.gz,in/sub-02_seg.nii.gz\n",
    );
    await assert.rejects(
      runBatch({
        ...base,
        manifest: swapped,
        out,
        replay: { provenance: `${out}/provenance.json`, subject: "sub-01", copy: 0 },
      }),
      (e) => {
        assert.ok(e instanceof ManifestError, names(e));
        assert.match(e.message, /sub-01/);
        assert.match(e.message, /provenance\.json/);
        return true;
      },
    );
    assert.deepEqual(await readTree(out), before, "the run's outputs and provenance are untouched");
    // Into another folder the replay works.
    assert.equal(
      await runBatch({
        ...base,
        manifest: ds.manifest,
        out: `${ds.dir}/replayed`,
        replay: { provenance: `${out}/provenance.json`, subject: "sub-01", copy: 0 },
      }),
      0,
    );
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});
