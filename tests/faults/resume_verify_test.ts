/**
 * Issue 10.4: `--resume` keeps an output only when its size and sha256 equal what provenance
 * recorded, and provenance is journaled so that kill -9 loses only the subjects in flight.
 */
import assert from "node:assert/strict";
import { runBatch } from "../../src/runner/batch.ts";
import { createDataset, readTree } from "../runner/_dataset.ts";
import { fileIdentities, heavyRecipe, killNineMidRun, listFiles } from "./_resume.ts";

const SIMPLE = `version: 1
name: simple
seed: 1
steps:
  - step: load
    labels: [label]
  - step: resample-to-spacing
    spacing: [2, 2, 2]
  - step: normalize
    method: zscore
  - step: save
`;
const quiet = { quiet: true, command: ["test"] };

Deno.test("--resume rebuilds truncated, zero-byte and foreign outputs instead of keeping them", async () => {
  const ds = await createDataset({ count: 4, recipe: SIMPLE });
  try {
    const out = `${ds.dir}/out`;
    const opts = { ...quiet, recipe: ds.recipe, manifest: ds.manifest, out, workers: 2 };
    assert.equal(await runBatch(opts), 0);
    const clean = await readTree(out);
    const bytes = clean.get("sub-01_image.nii.gz")!;
    await Deno.writeFile(`${out}/sub-01_image.nii.gz`, bytes.slice(0, bytes.length >> 1));
    await Deno.writeFile(`${out}/sub-02_label.nii.gz`, new Uint8Array());
    // Same size, other bytes: another recipe's file under the same name.
    await Deno.writeFile(`${out}/sub-03_image.nii.gz`, clean.get("sub-04_image.nii.gz")!);
    const before = await fileIdentities(out);
    assert.equal(await runBatch({ ...opts, resume: true }), 0);
    const after = await readTree(out);
    for (const name of ["sub-01_image.nii.gz", "sub-02_label.nii.gz", "sub-03_image.nii.gz"]) {
      assert.deepEqual(after.get(name), clean.get(name), `${name} was kept, not rebuilt`);
    }
    const identities = await fileIdentities(out);
    assert.equal(identities.get("sub-04_image.nii.gz"), before.get("sub-04_image.nii.gz"));
    const prov = JSON.parse(await Deno.readTextFile(`${out}/provenance.json`));
    const sub1 = prov.subjects.find((s: { id: string }) => s.id === "sub-01");
    assert.equal(sub1.outputs[0].size, clean.get("sub-01_image.nii.gz")!.length);
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});

for (const signal of ["SIGKILL", "SIGHUP"] as const) {
  Deno.test(`--resume after ${signal} keeps the subjects finished before it (journal)`, async () => {
    const ds = await createDataset({
      count: 16,
      shape: [30, 26, 20],
      recipe: heavyRecipe("heavy"),
    });
    try {
      const out = `${ds.dir}/out`;
      const seen = await killNineMidRun(
        ["run", ds.recipe, "--manifest", ds.manifest, "--out", out, "--workers", "2"],
        out,
        4,
        signal,
      );
      assert.ok(!seen.includes("provenance.json"));
      const files = await listFiles(out);
      const before = await fileIdentities(out);
      const base = { ...quiet, recipe: ds.recipe, manifest: ds.manifest, workers: 2 };
      assert.equal(await runBatch({ ...base, out, resume: true }), 0);
      const after = await fileIdentities(out);
      const kept = [...before].filter(([name, id]) =>
        name.endsWith(".nii.gz") && after.get(name) === id
      );
      // At most the two subjects in flight (one per worker) may be redone.
      assert.ok(kept.length >= 2 * (4 - 2), `only ${kept.length} outputs kept after ${signal}`);
      assert.ok(files.includes("provenance.journal.jsonl"), `no journal: ${files.join(", ")}`);
      assert.ok(!(await listFiles(out)).includes("provenance.journal.jsonl"), "journal left");
      const clean = `${ds.dir}/clean`;
      assert.equal(await runBatch({ ...base, out: clean }), 0);
      const [a, b] = [await readTree(out), await readTree(clean)];
      assert.deepEqual([...a.keys()].sort(), [...b.keys()].sort());
      for (const [name, data] of b) {
        if (name !== "provenance.json" && name !== "report.html") {
          assert.deepEqual(a.get(name), data);
        }
      }
      const prov = JSON.parse(new TextDecoder().decode(a.get("provenance.json")));
      assert.equal(prov.status, "complete");
      assert.equal(prov.subjects.length, 16);
    } finally {
      await Deno.remove(ds.dir, { recursive: true });
    }
  });
}

Deno.test("kill -9 of a different recipe (--force) leaves nothing --resume would keep", async () => {
  const ds = await createDataset({ count: 16, shape: [30, 26, 20], recipe: heavyRecipe("b") });
  try {
    const out = `${ds.dir}/out`;
    const base = { ...quiet, recipe: ds.recipe, manifest: ds.manifest, workers: 2 };
    assert.equal(await runBatch({ ...base, out }), 0);
    const recipeA = `${ds.dir}/a.yaml`;
    await Deno.writeTextFile(recipeA, heavyRecipe("a", "[0.5, 0.45, 0.6]"));
    // Recipe A into B's folder: refused without --force.
    const refused = await (await import("./_resume.ts")).medprep(
      ["run", recipeA, "--manifest", ds.manifest, "--out", out],
    ).output();
    assert.equal(refused.code, 2, new TextDecoder().decode(refused.stderr));
    await killNineMidRun(
      ["run", recipeA, "--manifest", ds.manifest, "--out", out, "--workers", "2", "--force"],
      out,
      3,
    );
    // B --resume sees A's journal: a different recipe, refused; with --force, rebuilt clean.
    await assert.rejects(runBatch({ ...base, out, resume: true }), /recipe "a"/);
    assert.equal(await runBatch({ ...base, out, resume: true, force: true } as never), 0);
    const clean = `${ds.dir}/clean`;
    assert.equal(await runBatch({ ...base, out: clean }), 0);
    const [got, want] = [await readTree(out), await readTree(clean)];
    assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort());
    for (const [name, data] of want) {
      if (name !== "provenance.json" && name !== "report.html") {
        assert.deepEqual(got.get(name), data, `${name} is A's`);
      }
    }
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});
