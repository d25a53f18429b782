/**
 * The commands besides `run` that write files (restore, split, merge-provenance, report,
 * fingerprint) and `run --force`'s removals: an input is never overwritten or removed, whatever
 * path leads to it (a symlinked folder, a hard link), and a user's file is never replaced; a
 * refusal is exit 2 with nothing written.
 */
import assert from "node:assert/strict";
import { createDataset, readTree } from "../runner/_dataset.ts";
import { runMedprep } from "./_faults.ts";

const RECIPE = `version: 1
name: first
seed: 1
steps:
  - step: load
    labels: [label]
  - step: resample-to-spacing
    spacing: [2, 2, 2]
  - step: save
    name: "{id}_{role}.nii.gz"
    compression: 1
`;

const STATS_RECIPE = `version: 1
name: stats
steps:
  - step: load
    labels: [label]
  - step: normalize
    method: zscore
    over: dataset
  - step: save
    compression: 1
`;

async function cli(args: string[]): Promise<{ code: number; stderr: string }> {
  const r = await runMedprep(args);
  assert.ok(!r.timedOut, `timed out: ${args.join(" ")}`);
  return r;
}

Deno.test("run --force keeps a file of the old run that is an input of the current manifest", async () => {
  const ds = await createDataset({ count: 2, recipe: RECIPE });
  try {
    const out = `${ds.dir}/out`;
    const first = await cli(["run", ds.recipe, "--manifest", ds.manifest, "--out", out, "--quiet"]);
    assert.equal(first.code, 0, first.stderr);
    const input = `${out}/sub-01_image.nii.gz`;
    const before = await Deno.readFile(input);
    await Deno.mkdir(`${ds.dir}/data`);
    await Deno.writeTextFile(
      `${ds.dir}/data/next.csv`,
      "id,image\nnext1,../out/sub-01_image.nii.gz\n",
    );
    await Deno.writeTextFile(
      `${ds.dir}/r2.yaml`,
      RECIPE.replace("name: first", "name: second").replace("[2, 2, 2]", "[3, 3, 3]")
        .replace("    labels: [label]\n", "").replace("{id}_{role}", "{id}-{role}"),
    );
    const r = await cli([
      "run",
      `${ds.dir}/r2.yaml`,
      "--manifest",
      `${ds.dir}/data/next.csv`,
      "--out",
      out,
      "--force",
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      /--force kept "sub-01_image\.nii\.gz": it is an input of subject "next1"/,
    );
    assert.deepEqual(await Deno.readFile(input), before);
    assert.ok((await Deno.stat(`${out}/next1-image.nii.gz`)).isFile);
    // Every other file of the old run is gone, as before.
    await assert.rejects(Deno.stat(`${out}/sub-02_image.nii.gz`), Deno.errors.NotFound);
    await assert.rejects(Deno.stat(`${out}/sub-01_label.nii.gz`), Deno.errors.NotFound);
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});
