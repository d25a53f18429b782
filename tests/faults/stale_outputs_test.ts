/**
 * The provenance file in `--out` accounts for every output medprep made there: a run of a
 * selection (`--subject`, `--limit`, a shorter manifest) keeps recording the same recipe's
 * earlier subjects it did not touch, and a rebuilt subject whose output names changed leaves
 * no stale file of its own behind (removed only while it is still the file that was recorded).
 * An audit found `--subject` rewriting provenance.json with one subject (the others' outputs
 * untracked, out of reach of --force) and `--resume` keeping a rebuilt subject's old-named
 * output, unrecorded.
 */
import assert from "node:assert/strict";
import { runBatch } from "../../src/runner/batch.ts";
import type { Provenance } from "../../src/provenance/types.ts";
import { createDataset } from "../runner/_dataset.ts";
import { captureStderr, medprep } from "./_resume.ts";
import { spacingRecipe } from "./_faults.ts";
import { sha256Bytes } from "../../src/nifti/hash.ts";

const recipe = spacingRecipe("stale", 2, '    name: "{stem}_{role}.nii.gz"\n');

const readProvenance = (out: string): Provenance =>
  JSON.parse(Deno.readTextFileSync(`${out}/provenance.json`));

/** Output files in `out` (not run-level files) against those provenance records as done. */
function accounted(out: string) {
  const onDisk = [...Deno.readDirSync(out)].map((e) => e.name)
    .filter((n) => n.endsWith(".nii.gz")).sort();
  const recorded = readProvenance(out).subjects.filter((s) => s.status === "done")
    .flatMap((s) => s.outputs.map((o) => o.path)).sort();
  return { onDisk, recorded };
}

Deno.test("a run of a selection keeps recording the earlier subjects it did not touch", async () => {
  const ds = await createDataset({ count: 3, recipe });
  try {
    const out = `${ds.dir}/out`;
    const base = { quiet: true, command: ["t"], recipe: ds.recipe, out };
    assert.equal(await runBatch({ ...base, manifest: ds.manifest }), 0);
    const all = readProvenance(out).subjects;
    assert.equal(await runBatch({ ...base, manifest: ds.manifest, subjects: ["sub-02"] }), 0);
    assert.deepEqual(readProvenance(out).subjects.map((s) => s.id), ["sub-01", "sub-02", "sub-03"]);
    assert.deepEqual(
      readProvenance(out).subjects.filter((s) => s.id !== "sub-02").map((s) => s.outputs),
      all.filter((s) => s.id !== "sub-02").map((s) => s.outputs),
    );
    assert.equal(await runBatch({ ...base, manifest: ds.manifest, limit: 1 }), 0);
    let { onDisk, recorded } = accounted(out);
    assert.deepEqual(onDisk, recorded);
    assert.equal(recorded.length, 6);
    // A shorter manifest: sub-03's outputs stay, and stay recorded.
    const shorter = `${ds.dir}/shorter.csv`;
    const rows = Deno.readTextFileSync(ds.manifest).trim().split("\n");
    Deno.writeTextFileSync(shorter, rows.slice(0, 3).join("\n") + "\n");
    assert.equal(await runBatch({ ...base, manifest: shorter, resume: true }), 0);
    ({ onDisk, recorded } = accounted(out));
    assert.deepEqual(onDisk, recorded);
    assert.equal(recorded.length, 6);
    // --force of another recipe can reach all of them again.
    await Deno.writeTextFile(`${ds.dir}/other.yaml`, recipe.replace("[2, 2, 2]", "[3, 3, 3]"));
    const { value, lines } = await captureStderr(() =>
      runBatch({
        ...base,
        quiet: false,
        recipe: `${ds.dir}/other.yaml`,
        manifest: shorter,
        force: true,
      })
    );
    const stderr = lines.join("\n");
    assert.equal(value, 0, stderr);
    assert.match(stderr, /--force removed 6 file\(s\)/);
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});

Deno.test("a rebuilt subject whose output names changed leaves no stale output of its own", async () => {
  const ds = await createDataset({ count: 2, recipe });
  try {
    const out = `${ds.dir}/out`;
    const base = { quiet: true, command: ["t"], recipe: ds.recipe, out };
    assert.equal(await runBatch({ ...base, manifest: ds.manifest }), 0);
    // sub-01's image now comes from a copy with another stem: other output names.
    Deno.copyFileSync(`${ds.dir}/in/sub-01_ct.nii.gz`, `${ds.dir}/in/sub-01_ctB.nii.gz`);
    Deno.copyFileSync(`${ds.dir}/in/sub-02_ct.nii.gz`, `${ds.dir}/in/sub-02_ctB.nii.gz`);
    const moved = `${ds.dir}/moved.csv`;
    Deno.writeTextFileSync(
      moved,
      Deno.readTextFileSync(ds.manifest).replaceAll("_ct.nii.gz", "_ctB.nii.gz"),
    );
    // The user edited sub-02's old image output: not medprep's file any more, kept.
    Deno.writeTextFileSync(`${out}/sub-02_ct_image.nii.gz`, "edited by hand");
    const { value, lines } = await captureStderr(() =>
      runBatch({ ...base, quiet: false, manifest: moved, resume: true })
    );
    const stderr = lines.join("\n");
    assert.equal(value, 0, stderr);
    const names = [...Deno.readDirSync(out)].map((e) => e.name);
    assert.ok(!names.includes("sub-01_ct_image.nii.gz"), "the stale output was removed");
    assert.ok(names.includes("sub-01_ctB_image.nii.gz"));
    assert.equal(Deno.readTextFileSync(`${out}/sub-02_ct_image.nii.gz`), "edited by hand");
    assert.match(stderr, /kept "sub-02_ct_image\.nii\.gz"/);
    const { recorded } = accounted(out);
    assert.ok(recorded.includes("sub-01_ctB_image.nii.gz"));
    assert.ok(!recorded.some((p) => p.startsWith("sub-01_ct_")));
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});

Deno.test("an earlier subject whose output names another subject now writes is not carried over", async () => {
  const ds = await createDataset({ count: 3, recipe });
  try {
    const out = `${ds.dir}/out`;
    const base = { quiet: true, command: ["t"], recipe: ds.recipe, out };
    assert.equal(await runBatch({ ...base, manifest: ds.manifest }), 0);
    // sub-03 is gone; "renamed" reads its files, so it writes sub-03's output names.
    const renamed = `${ds.dir}/renamed.csv`;
    Deno.writeTextFileSync(
      renamed,
      Deno.readTextFileSync(ds.manifest).replace(/^sub-03,/m, "renamed,"),
    );
    assert.equal(await runBatch({ ...base, manifest: renamed, subjects: ["renamed"] }), 0);
    const subjects = readProvenance(out).subjects;
    assert.deepEqual(subjects.map((s) => s.id), ["renamed", "sub-01", "sub-02"]);
    const paths = subjects.flatMap((s) => s.outputs.map((o) => o.path));
    assert.equal(new Set(paths).size, paths.length, "no file is recorded twice");
    const { onDisk, recorded } = accounted(out);
    assert.deepEqual(onDisk, recorded);
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});

Deno.test("an earlier output no longer made is never removed when this run wrote the same name for another subject", async () => {
  const ds = await createDataset({ count: 2, recipe });
  try {
    const out = `${ds.dir}/out`;
    const base = { quiet: true, command: ["t"], recipe: ds.recipe, out };
    const first = `${ds.dir}/first.csv`, second = `${ds.dir}/second.csv`;
    Deno.writeTextFileSync(first, "id,image,label\nA,in/sub-01_ct.nii.gz,in/sub-01_seg.nii.gz\n");
    // A moves to sub-02's files; B now reads A's old files: B's outputs take A's old names.
    Deno.writeTextFileSync(
      second,
      "id,image,label\nA,in/sub-02_ct.nii.gz,in/sub-02_seg.nii.gz\n" +
        "B,in/sub-01_ct.nii.gz,in/sub-01_seg.nii.gz\n",
    );
    assert.equal(await runBatch({ ...base, manifest: first }), 0);
    assert.equal(await runBatch({ ...base, manifest: second }), 0);
    const { onDisk, recorded } = accounted(out);
    assert.deepEqual(onDisk, recorded);
    assert.equal(recorded.length, 4);
    // Swapped back and forth: still every recorded output on disk.
    Deno.writeTextFileSync(
      first,
      "id,image,label\nA,in/sub-01_ct.nii.gz,in/sub-01_seg.nii.gz\n" +
        "B,in/sub-02_ct.nii.gz,in/sub-02_seg.nii.gz\n",
    );
    assert.equal(await runBatch({ ...base, manifest: first }), 0);
    const again = accounted(out);
    assert.deepEqual(again.onDisk, again.recorded);
    assert.equal(again.recorded.length, 4);
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});

Deno.test("subjects moving between shards: the merge takes each from the shard it is assigned to; every file accounted for", async () => {
  const byId = recipe.replace("{stem}_{role}", "{id}_{role}");
  const ds = await createDataset({ count: 4, recipe: byId });
  try {
    const out = `${ds.dir}/out`;
    const base = { quiet: true, command: ["t"], recipe: ds.recipe, out };
    for (const shard of ["1/2", "2/2"]) {
      assert.equal(await runBatch({ ...base, manifest: ds.manifest, shard }), 0);
    }
    // A new id sorted first moves every subject to the other shard.
    const more = `${ds.dir}/more.csv`;
    const rows = Deno.readTextFileSync(ds.manifest).trim().split("\n");
    Deno.writeTextFileSync(more, [...rows, rows[1].replace(/^sub-01/, "new-01")].join("\n") + "\n");
    for (const shard of ["1/2", "2/2"]) {
      assert.equal(await runBatch({ ...base, manifest: more, shard }), 0);
    }
    const cli = await medprep(["merge-provenance", out]).output();
    assert.equal(cli.code, 0, new TextDecoder().decode(cli.stderr));
    const merged = readProvenance(out).subjects;
    assert.deepEqual(merged.map((s) => s.id), ["new-01", "sub-01", "sub-02", "sub-03", "sub-04"]);
    for (const s of merged) {
      for (const o of s.outputs) {
        const bytes = Deno.readFileSync(`${out}/${o.path}`);
        assert.equal(sha256Bytes(bytes), o.sha256, `${o.path} is the file recorded`);
      }
    }
    const { onDisk, recorded } = accounted(out);
    assert.deepEqual(onDisk, recorded);
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});
