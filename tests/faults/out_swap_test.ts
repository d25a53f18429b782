/**
 * --out swapped for a symbolic link while a run works: the run notices before its next publish,
 * run-level write or removal, stops, and writes or deletes nothing in the link's target.
 */
import assert from "node:assert/strict";
import { createDataset } from "../runner/_dataset.ts";
import { HEAVY_RECIPE, listFiles, medprep, waitFor } from "./_faults.ts";

const THEIRS = [
  "dataset.json",
  "manifest.csv",
  "provenance.journal.jsonl",
  "provenance.json",
  "report.html",
];

Deno.test("a run whose --out is swapped for a link mid-run stops and writes nothing through it", async () => {
  const ds = await createDataset({ count: 16, shape: [30, 26, 20], recipe: HEAVY_RECIPE });
  try {
    const out = `${ds.dir}/out`, victim = `${ds.dir}/victim`;
    await Deno.mkdir(victim);
    for (const f of THEIRS) await Deno.writeTextFile(`${victim}/${f}`, "mine\n");
    const args = ["run", ds.recipe, "--manifest", ds.manifest, "--out", out, "--workers", "1"];
    const child = medprep(args).spawn();
    const output = child.output();
    const published = async () => (await listFiles(out)).some((n) => n.endsWith(".nii.gz"));
    await waitFor(published, "the first subject to be published");
    // Nearly atomic: the link is made first, then the folder moved and the link renamed in.
    await Deno.symlink(victim, `${ds.dir}/link`);
    await Deno.rename(out, `${ds.dir}/out.real`);
    await Deno.rename(`${ds.dir}/link`, out);
    const r = await output;
    const stderr = new TextDecoder().decode(r.stderr);
    assert.notEqual(r.code, 0, stderr);
    assert.deepEqual(await listFiles(victim), THEIRS, "nothing written into the link's target");
    for (const f of THEIRS) {
      assert.equal(await Deno.readTextFile(`${victim}/${f}`), "mine\n", `${f} untouched`);
    }
    const last = stderr.trim().split("\n").at(-1)!;
    assert.ok(last.includes(`"${out}" (--out)`), stderr);
    // It names where --out leads now (or, had it looked between the two renames, that it is gone).
    assert.ok(
      last.includes(`now leads to "${victim}"`) || last.includes("no longer exists"),
      stderr,
    );
    // What the run made stays where it was: the journal keeps the finished subjects.
    assert.ok((await listFiles(`${ds.dir}/out.real`)).includes("provenance.journal.jsonl"));
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});
