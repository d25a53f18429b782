/**
 * Issue #10 item 2 and #11 item 10: clean-up touches only what this run created; outputs are
 * staged and published per subject, so a subject whose outputs are in place is recorded done.
 */
import assert from "node:assert/strict";
import { createDataset } from "../runner/_dataset.ts";
import { HEAVY_RECIPE, listFiles, medprep, runMedprep, simpleRecipe, waitFor } from "./_faults.ts";

Deno.test("a failed subject never deletes a file it did not write at its output name", async () => {
  const ds = await createDataset({ count: 3, recipe: simpleRecipe() });
  try {
    const out = `${ds.dir}/out`;
    const args = ["run", ds.recipe, "--manifest", ds.manifest, "--out", out];
    // A name no provenance records is refused before any work (user_files_test.ts); here the
    // name is an earlier run's output that someone replaced.
    assert.equal((await runMedprep(args)).code, 0);
    const unrelated = new TextEncoder().encode("someone else's file");
    await Deno.writeFile(`${out}/sub-02_image.nii.gz`, unrelated);
    await Deno.writeFile(`${ds.dir}/in/sub-02_ct.nii.gz`, new Uint8Array([31, 139, 8, 0, 1]));
    const r = await runMedprep(args);
    assert.equal(r.code, 1, r.stderr);
    assert.deepEqual(await Deno.readFile(`${out}/sub-02_image.nii.gz`), unrelated);
    assert.deepEqual(await listFiles(out), [
      "dataset.json",
      "manifest.csv",
      "provenance.json",
      "report.html",
      "sub-01_image.nii.gz",
      "sub-01_label.nii.gz",
      "sub-02_image.nii.gz",
      "sub-02_label.nii.gz", // the earlier run's, left alone too
      "sub-03_image.nii.gz",
      "sub-03_label.nii.gz",
    ]);
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});

Deno.test("an interrupted run never deletes finished outputs of an earlier run in --out", async () => {
  const ds = await createDataset({ count: 8, shape: [30, 26, 20], recipe: HEAVY_RECIPE });
  try {
    const out = `${ds.dir}/out`;
    const args = ["run", ds.recipe, "--manifest", ds.manifest, "--out", out, "--workers", "1"];
    const first = await runMedprep(args);
    assert.equal(first.code, 0, first.stderr);
    const before = (await listFiles(out)).filter((n) => n.endsWith(".nii.gz"));
    assert.equal(before.length, 16);
    // The same command again, interrupted once it has started working.
    const child = medprep(args).spawn();
    const output = child.output();
    await waitFor(async () => {
      for await (const e of Deno.readDir(out)) {
        if (e.name.startsWith(".medprep-tmp-run")) return true;
      }
      return false;
    }, "the second run to start");
    await new Promise((r) => setTimeout(r, 300));
    child.kill("SIGTERM");
    const status = await output;
    assert.equal(status.code, 130, new TextDecoder().decode(status.stderr));
    const after = (await listFiles(out)).filter((n) => n.endsWith(".nii.gz"));
    assert.deepEqual(after, before, "the earlier run's outputs are all still there");
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});

Deno.test("a subject whose outputs are in place when a signal arrives is recorded done", async () => {
  // Interrupt as soon as the first outputs appear, several times: whatever instant the signal
  // hits, the files left under final names are exactly the outputs of the subjects recorded done.
  for (const delay of [0, 0, 50, 150]) {
    const ds = await createDataset({ count: 6, shape: [30, 26, 20], recipe: HEAVY_RECIPE });
    try {
      const out = `${ds.dir}/out`;
      const child = medprep([
        "run",
        ds.recipe,
        "--manifest",
        ds.manifest,
        "--out",
        out,
        "--workers",
        "2",
      ]).spawn();
      const output = child.output();
      const finals = async () =>
        (await listFiles(out)).filter((n) => !n.includes(".medprep-") && n.endsWith(".nii.gz"));
      await waitFor(async () => (await finals()).length > 0, "a first output", { everyMs: 2 });
      if (delay) await new Promise((r) => setTimeout(r, delay));
      const seen = await finals();
      child.kill("SIGINT");
      const status = await output;
      const stderr = new TextDecoder().decode(status.stderr);
      assert.ok(status.code === 130 || status.code === 0, stderr);
      const prov = JSON.parse(await Deno.readTextFile(`${out}/provenance.json`));
      const recorded = prov.subjects
        .filter((s: { status: string }) => s.status === "done")
        .flatMap((s: { outputs: { path: string }[] }) => s.outputs.map((o) => o.path)).sort();
      const left = await finals();
      assert.deepEqual(left, recorded, `delay ${delay}: files on disk are the done outputs`);
      for (const name of seen) assert.ok(left.includes(name), `${name} was in place, then deleted`);
      assert.deepEqual((await listFiles(out)).filter((n) => n.includes(".medprep-tmp")), []);
    } finally {
      await Deno.remove(ds.dir, { recursive: true });
    }
  }
});
