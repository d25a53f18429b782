import assert from "node:assert/strict";
import { UsageError } from "../../src/errors.ts";
import { runBatch } from "../../src/runner/batch.ts";
import { createDataset, readTree } from "./_dataset.ts";

const quiet = { quiet: true, command: ["test"] };

Deno.test("runBatch --replay rebuilds one augmented copy byte-identically from recorded values", async () => {
  const ds = await createDataset({ count: 2 });
  try {
    const out = `${ds.dir}/out`, again = `${ds.dir}/again`;
    assert.equal(await runBatch({ ...quiet, recipe: ds.recipe, manifest: ds.manifest, out }), 0);
    const replay = { provenance: `${out}/provenance.json`, subject: "sub-02", copy: 1 };
    // Another run seed would draw other values; replay must use the recorded ones.
    const code = await runBatch({
      ...quiet,
      recipe: ds.recipe,
      manifest: ds.manifest,
      out: again,
      seed: 999,
      replay,
    });
    assert.equal(code, 0);
    const original = await readTree(out), replayed = await readTree(again);
    assert.deepEqual([...replayed.keys()].sort(), [
      "provenance.replay-sub-02-copy1.json",
      "sub-02/image_1.nii.gz",
      "sub-02/label_1.nii.gz",
    ]);
    assert.deepEqual(replayed.get("sub-02/image_1.nii.gz"), original.get("sub-02/image_1.nii.gz"));
    assert.deepEqual(replayed.get("sub-02/label_1.nii.gz"), original.get("sub-02/label_1.nii.gz"));
    await assert.rejects(
      () =>
        runBatch({
          ...quiet,
          recipe: ds.recipe,
          manifest: ds.manifest,
          out: again,
          replay: { ...replay, copy: 2 },
        }),
      (e) => e instanceof UsageError && /the recipe makes copies 0\.\.1/.test(e.message),
    );
    // Another recipe cannot replay this provenance (it would silently make something else).
    const augmentIndex = (await Deno.readTextFile(ds.recipe)).split("\n")
      .filter((l) => l.startsWith("  - step: ")).findIndex((l) => l.endsWith("augment"));
    const other = `${ds.dir}/other.yaml`;
    await Deno.writeTextFile(
      other,
      (await Deno.readTextFile(ds.recipe)).replace("copies: 2", "copies: 3"),
    );
    await assert.rejects(
      () => runBatch({ ...quiet, recipe: other, manifest: ds.manifest, out: again, replay }),
      (e) =>
        e instanceof UsageError &&
        new RegExp(`its recipe differs from this one at steps\\[${augmentIndex}\\]`).test(
          e.message,
        ),
    );
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});

Deno.test("runBatch memory guard fails a subject whose input is too large, not the run", async () => {
  const ds = await createDataset({ count: 1 });
  try {
    const out = `${ds.dir}/out`;
    const env = (name: string) => name === "MEDPREP_MAX_BYTES" ? "500" : undefined;
    const code = await runBatch({ ...quiet, recipe: ds.recipe, manifest: ds.manifest, out, env });
    assert.equal(code, 1);
    const prov = JSON.parse(await Deno.readTextFile(`${out}/provenance.json`));
    assert.equal(prov.subjects[0].status, "failed");
    assert.equal(prov.subjects[0].error.step, 0);
    assert.match(prov.subjects[0].error.message, /sub-01_ct\.nii\.gz/);
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});

Deno.test("runBatch memory guard shares RAM among the workers that run, not the requested count", async () => {
  const ds = await createDataset({ count: 1 });
  try {
    const out = `${ds.dir}/out`;
    // 10^12 requested workers would leave each a few bytes; one subject runs in one worker.
    const opts = { ...quiet, recipe: ds.recipe, manifest: ds.manifest, out, workers: 1e12 };
    assert.equal(await runBatch(opts), 0);
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});
