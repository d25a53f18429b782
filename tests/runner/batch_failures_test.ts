import assert from "node:assert/strict";
import { ManifestError, RecipeError, UsageError } from "../../src/errors.ts";
import { runBatch } from "../../src/runner/batch.ts";
import { createDataset, readTree } from "./_dataset.ts";

const SIMPLE = `version: 1
name: simple
steps:
  - step: load
  - step: resample-to-spacing
    spacing: [2, 2, 2]
  - step: clip
    min: -500
    max: 500
  - step: save
`;
const quiet = { quiet: true, command: ["test"] };

async function exists(path: string) {
  return await Deno.stat(path).then(() => true, () => false);
}

Deno.test("runBatch isolates a failing subject: exit 1, others written, error recorded", async () => {
  const ds = await createDataset({ count: 3, recipe: SIMPLE });
  try {
    await Deno.writeFile(`${ds.dir}/in/sub-02_ct.nii.gz`, new Uint8Array([31, 139, 8, 0, 1, 2]));
    const out = `${ds.dir}/out`;
    // A temp file of another shard writing into the same directory must survive this run.
    await Deno.mkdir(out);
    await Deno.writeTextFile(`${out}/.medprep-tmp-other-shard`, "");
    const code = await runBatch({ ...quiet, recipe: ds.recipe, manifest: ds.manifest, out });
    assert.equal(code, 1);
    const prov = JSON.parse(await Deno.readTextFile(`${out}/provenance.json`));
    assert.equal(prov.status, "failed");
    const [a, b, c] = prov.subjects;
    assert.deepEqual([a.status, b.status, c.status], ["done", "failed", "done"]);
    assert.equal(b.error.step, 0);
    assert.equal(b.error.name, "load");
    assert.match(b.error.message, /sub-02_ct\.nii\.gz/);
    assert.deepEqual(b.outputs, []);
    const files = [...(await readTree(out)).keys()].sort();
    assert.deepEqual(files, [
      ".medprep-tmp-other-shard",
      "dataset.json",
      "manifest.csv",
      "provenance.json",
      "report.html",
      "sub-01_image.nii.gz",
      "sub-01_label.nii.gz",
      "sub-03_image.nii.gz",
      "sub-03_label.nii.gz",
    ]);
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});

Deno.test("runBatch rejects bad input before writing anything (exit 2 errors)", async () => {
  const ds = await createDataset({ count: 2, recipe: SIMPLE });
  try {
    const out = `${ds.dir}/out`;
    await assert.rejects(
      () => runBatch({ ...quiet, recipe: ds.recipe, out }),
      (e) => e instanceof UsageError && /give --manifest FILE or --input GLOB/.test(e.message),
    );
    await assert.rejects(
      () => runBatch({ ...quiet, recipe: ds.recipe, manifest: ds.manifest, input: "*.nii", out }),
      UsageError,
    );
    await Deno.writeTextFile(`${ds.dir}/bad.yaml`, "version: 1\nsteps:\n  - step: lod\n");
    await assert.rejects(
      () => runBatch({ ...quiet, recipe: `${ds.dir}/bad.yaml`, manifest: ds.manifest, out }),
      RecipeError,
    );
    await assert.rejects(
      () => runBatch({ ...quiet, recipe: ds.recipe, manifest: ds.manifest, out, shard: "4/3" }),
      /between 1 and 3/,
    );
    // Saving next to the inputs under their own names would overwrite them.
    await Deno.writeTextFile(
      `${ds.dir}/clash.yaml`,
      SIMPLE.replace("  - step: save\n", '  - step: save\n    name: "{stem}.nii.gz"\n'),
    );
    await assert.rejects(
      () =>
        runBatch({
          ...quiet,
          recipe: `${ds.dir}/clash.yaml`,
          manifest: ds.manifest,
          out: `${ds.dir}/in`,
        }),
      (e) =>
        e instanceof ManifestError &&
        /is the input of row 2 \(subject "sub-01", role image\)/.test(e.message),
    );
    assert.equal(await exists(out), false);
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});

Deno.test("runBatch --dry-run prints each subject's grids and writes nothing", async () => {
  const ds = await createDataset({ count: 2, recipe: SIMPLE });
  const logged: string[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => logged.push(args.join(" "));
  try {
    const out = `${ds.dir}/out`;
    const code = await runBatch({
      ...quiet,
      recipe: ds.recipe,
      manifest: ds.manifest,
      out,
      dryRun: true,
    });
    assert.equal(code, 0);
    const text = logged.join("\n");
    assert.match(
      text,
      /subject "sub-01" \(row 2\):\n {2}image: 12x10x8 @ 0\.9x1\.1x2\.5 mm → 5x6x10 @ 2x2x2 mm/,
    );
    assert.match(text, / {2}writes sub-02_label\.nii\.gz/);
    assert.ok(!text.includes("{"), text); // issue 14.5: the JSON only with --json
    logged.length = 0;
    assert.equal(
      await runBatch({
        ...quiet,
        recipe: ds.recipe,
        manifest: ds.manifest,
        out,
        dryRun: true,
        json: true,
      }),
      0,
    );
    const skeleton = JSON.parse(logged.join("\n"));
    assert.equal(skeleton.status, "planned");
    assert.deepEqual(skeleton.subjects.map((s: { id: string }) => s.id), ["sub-01", "sub-02"]);
    assert.equal(await exists(out), false);
    // A subject whose header cannot be read is reported; the others are still planned.
    await Deno.writeFile(`${ds.dir}/in/sub-01_seg.nii.gz`, new Uint8Array([1, 2, 3]));
    logged.length = 0;
    const broken = await runBatch({
      ...quiet,
      recipe: ds.recipe,
      manifest: ds.manifest,
      out,
      dryRun: true,
    });
    assert.equal(broken, 1);
    assert.match(logged.join("\n"), /subject "sub-02" \(row 3\):/);
    assert.equal(await exists(out), false);
  } finally {
    console.log = log;
    await Deno.remove(ds.dir, { recursive: true });
  }
});
