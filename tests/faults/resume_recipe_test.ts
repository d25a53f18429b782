/**
 * Issue 11.9: a different recipe run into the same --out is refused (exit 2) unless --force,
 * which removes exactly the files the old provenance lists (unchanged, regular, inside --out);
 * a corrupt provenance is never silently ignored.
 */
import assert from "node:assert/strict";
import { runBatch, type RunOptions } from "../../src/runner/batch.ts";
import { ManifestError } from "../../src/errors.ts";
import { createDataset, readTree } from "../runner/_dataset.ts";
import { captureStderr, medprep } from "./_resume.ts";
import { spacingRecipe } from "./_faults.ts";

/** runBatch with the (new) --force flag. */
const run = (o: RunOptions & { force?: boolean }) => runBatch(o);

Deno.test("a different recipe into the same --out exits 2 naming both recipes; files untouched", async () => {
  const ds = await createDataset({ count: 3, recipe: spacingRecipe("first", 2) });
  try {
    const out = `${ds.dir}/out`;
    await Deno.writeTextFile(
      `${ds.dir}/second.yaml`,
      spacingRecipe("second", 3, '    name: "{id}-{role}.nii.gz"\n'),
    );
    assert.equal(
      await runBatch({
        quiet: true,
        command: ["t"],
        recipe: ds.recipe,
        manifest: ds.manifest,
        out,
      }),
      0,
    );
    const before = await readTree(out);
    const cli = await medprep([
      "run",
      `${ds.dir}/second.yaml`,
      "--manifest",
      ds.manifest,
      "--out",
      out,
    ]).output();
    const stderr = new TextDecoder().decode(cli.stderr);
    assert.equal(cli.code, 2, stderr);
    assert.match(stderr, /recipe "second"/);
    assert.match(stderr, /recipe "first"/);
    assert.match(stderr, /--force/);
    assert.deepEqual(await readTree(out), before);
    // --resume of a different recipe is refused too; --resume of the same recipe is not.
    const base = { quiet: true, command: ["t"], manifest: ds.manifest, out };
    await assert.rejects(
      runBatch({ ...base, recipe: `${ds.dir}/second.yaml`, resume: true }),
      (e) => e instanceof ManifestError && /recipe "first"/.test(e.message),
    );
    assert.equal(await runBatch({ ...base, recipe: ds.recipe, resume: true }), 0);
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});

Deno.test("--force removes exactly the old recipe's unchanged outputs, never through a symlink", async () => {
  const ds = await createDataset({ count: 3, recipe: spacingRecipe("first", 2) });
  try {
    const out = `${ds.dir}/out`;
    const second = `${ds.dir}/second.yaml`;
    await Deno.writeTextFile(
      second,
      spacingRecipe("second", 3, '    name: "{id}-{role}.nii.gz"\n'),
    );
    const base = { quiet: true, command: ["t"], manifest: ds.manifest, out };
    assert.equal(await runBatch({ ...base, recipe: ds.recipe }), 0);
    // Changed since the first run wrote it: not the first run's file any more, kept.
    await Deno.writeTextFile(`${out}/sub-01_image.nii.gz`, "edited by the user");
    // Not written by the first run: kept.
    await Deno.writeTextFile(`${out}/notes.txt`, "mine");
    // A symlink where an output was, pointing outside --out: neither it nor its target removed.
    const outside = `${ds.dir}/outside.nii.gz`;
    await Deno.rename(`${out}/sub-02_label.nii.gz`, outside);
    await Deno.symlink(outside, `${out}/sub-02_label.nii.gz`);
    assert.equal(await run({ ...base, recipe: second, force: true }), 0);
    const left = [...(await readTree(out)).keys()].sort();
    assert.deepEqual(left, [
      "dataset.json",
      "manifest.csv",
      "notes.txt",
      "provenance.json",
      "report.html",
      "sub-01-image.nii.gz",
      "sub-01-label.nii.gz",
      "sub-01_image.nii.gz",
      "sub-02-image.nii.gz",
      "sub-02-label.nii.gz",
      "sub-02_label.nii.gz",
      "sub-03-image.nii.gz",
      "sub-03-label.nii.gz",
    ]);
    assert.ok((await Deno.lstat(`${out}/sub-02_label.nii.gz`)).isSymlink);
    assert.ok((await Deno.stat(outside)).isFile);
    const prov = JSON.parse(await Deno.readTextFile(`${out}/provenance.json`));
    assert.equal(prov.recipe.resolved.name, "second");
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});

Deno.test("a corrupt provenance.json: --resume warns and rebuilds, a plain run exits 2 unless --force", async () => {
  const ds = await createDataset({ count: 2, recipe: spacingRecipe("first", 2) });
  try {
    const out = `${ds.dir}/out`;
    const base = { command: ["t"], recipe: ds.recipe, manifest: ds.manifest, out };
    assert.equal(await runBatch({ ...base, quiet: true }), 0);
    const path = `${out}/provenance.json`;
    await Deno.writeTextFile(path, '{"tool": {"name": "medprep"}, "subjects": [');
    const resumed = await captureStderr(() => runBatch({ ...base, resume: true }));
    assert.equal(resumed.value, 0);
    const warning = resumed.lines.find((l) => l.includes("warning"));
    assert.ok(warning, resumed.lines.join("\n"));
    assert.ok(warning.includes(path) && /JSON/.test(warning), warning);
    assert.match(resumed.lines.join("\n"), /2 done/);
    const prov = JSON.parse(await Deno.readTextFile(path));
    assert.equal(prov.status, "complete");
    await Deno.writeTextFile(path, '{"subjects": 3}');
    await assert.rejects(
      runBatch({ ...base, quiet: true }),
      (e) => e instanceof ManifestError && e.message.includes(path) && /--force/.test(e.message),
    );
    assert.equal(await run({ ...base, quiet: true, force: true }), 0);
    assert.equal(JSON.parse(await Deno.readTextFile(path)).status, "complete");
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});
