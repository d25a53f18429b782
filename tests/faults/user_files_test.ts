/**
 * A user's files in `--out` (README "What medprep guarantees"): a file at an output name that no
 * provenance in --out records is refused before any work (exit 2, with or without --force) and
 * left alone, a report.html medprep did not write likewise; a publish that fails restores what
 * it replaced; no output may take the name of a file the run writes itself (provenance.json,
 * dataset.json, …). The real CLI in a subprocess.
 */
import assert from "node:assert/strict";
import { createDataset, type Dataset } from "../runner/_dataset.ts";
import { listFiles, runMedprep, simpleRecipe } from "./_faults.ts";

async function withDataset(
  fn: (ds: Dataset, out: string, args: string[]) => Promise<void>,
  options: { count?: number; recipe?: string } = {},
): Promise<void> {
  const ds = await createDataset({ count: options.count ?? 2, recipe: options.recipe });
  try {
    const out = `${ds.dir}/out`;
    await fn(ds, out, ["run", ds.recipe, "--manifest", ds.manifest, "--out", out, "--quiet"]);
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
}

const USER = new TextEncoder().encode("hand-edited by a user\n");

/** The stderr lines that are refusals (not progress or notes). */
const refusals = (stderr: string) => stderr.split("\n").filter((l) => l.includes("Cannot"));

Deno.test("run refuses a user's file at an output name (file, symlink, hard link, folder), even with --force", async () => {
  for (const kind of ["file", "symlink", "hardlink", "folder"] as const) {
    for (const force of [false, true]) {
      await withDataset(async (ds, out, args) => {
        await Deno.mkdir(out);
        const target = `${ds.dir}/mine.txt`;
        await Deno.writeFile(target, USER);
        const at = `${out}/sub-02_label.nii.gz`;
        if (kind === "file") await Deno.writeFile(at, USER);
        if (kind === "symlink") await Deno.symlink(target, at);
        if (kind === "hardlink") await Deno.link(target, at);
        if (kind === "folder") {
          await Deno.mkdir(at);
          await Deno.writeFile(`${at}/x`, USER);
        }
        const before = await listFiles(out);
        const r = await runMedprep(force ? [...args, "--force"] : args);
        const what = `${kind}${force ? " --force" : ""}`;
        assert.equal(r.code, 2, `${what}: ${r.stderr}`);
        const lines = refusals(r.stderr);
        assert.equal(lines.length, 1, r.stderr);
        assert.match(lines[0], /sub-02_label\.nii\.gz/);
        assert.match(lines[0], /--force/, "says that --force does not remove it");
        assert.deepEqual(await listFiles(out), before, `${what}: nothing written or removed`);
        assert.deepEqual(await Deno.readFile(target), USER);
        if (kind === "symlink") assert.equal(await Deno.readLink(at), target);
        if (kind === "file") assert.deepEqual(await Deno.readFile(at), USER);
        if (kind === "folder") assert.deepEqual(await Deno.readFile(`${at}/x`), USER);
      }, { recipe: simpleRecipe() });
    }
  }
});

Deno.test("run names one user file at an output name and counts the others", async () => {
  await withDataset(async (_ds, out, args) => {
    await Deno.mkdir(out);
    for (const name of ["sub-01_image.nii.gz", "sub-02_image.nii.gz", "sub-03_label.nii.gz"]) {
      await Deno.writeFile(`${out}/${name}`, USER);
    }
    const r = await runMedprep(args);
    assert.equal(r.code, 2, r.stderr);
    const lines = refusals(r.stderr);
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], /sub-01_image\.nii\.gz.*\(and 2 more\)/);
    assert.ok(!(await listFiles(out)).includes("provenance.json"));
  }, { count: 3, recipe: simpleRecipe() });
});

Deno.test("a failed publish never deletes the user's file it would have replaced (audit D2)", async () => {
  await withDataset(async (_ds, out, args) => {
    await Deno.mkdir(out);
    await Deno.writeFile(`${out}/sub-01_image.nii.gz`, USER);
    await Deno.mkdir(`${out}/sub-01_label.nii.gz`);
    await Deno.writeFile(`${out}/sub-01_label.nii.gz/x`, USER);
    const r = await runMedprep(args);
    assert.notEqual(r.code, 0, r.stderr);
    assert.deepEqual(await Deno.readFile(`${out}/sub-01_image.nii.gz`), USER);
    assert.deepEqual(await Deno.readFile(`${out}/sub-01_label.nii.gz/x`), USER);
  }, { count: 1, recipe: simpleRecipe() });
});

Deno.test("a failed publish puts back the earlier run's output it had replaced", async () => {
  await withDataset(async (_ds, out, args) => {
    const first = await runMedprep(args);
    assert.equal(first.code, 0, first.stderr);
    const image = await Deno.stat(`${out}/sub-01_image.nii.gz`);
    // The label output (recorded by the first run) became a folder: its rename must fail.
    await Deno.remove(`${out}/sub-01_label.nii.gz`);
    await Deno.mkdir(`${out}/sub-01_label.nii.gz`);
    await Deno.writeFile(`${out}/sub-01_label.nii.gz/x`, USER);
    const r = await runMedprep(args);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /publish/);
    // The very file of the first run (same inode), not a copy published by this one.
    const after = await Deno.stat(`${out}/sub-01_image.nii.gz`);
    assert.equal(after.ino, image.ino);
    assert.equal(after.size, image.size);
    assert.deepEqual(await Deno.readFile(`${out}/sub-01_label.nii.gz/x`), USER);
  }, { count: 1, recipe: simpleRecipe() });
});

Deno.test("run refuses output names equal to the files it writes itself (provenance.json, dataset.json)", async () => {
  await withDataset(async (ds, out) => {
    const rows = ["id,image,label"];
    for (const id of ["sub-01", "provenance", "Dataset"]) {
      rows.push(`${id},in/sub-01_ct.nii.gz,in/sub-01_seg.nii.gz`);
    }
    await Deno.writeTextFile(ds.manifest, rows.join("\n") + "\n");
    for (const dryRun of [[], ["--dry-run"]]) {
      const r = await runMedprep([
        "run",
        ds.recipe,
        "--manifest",
        ds.manifest,
        "--out",
        out,
        "--quiet",
        ...dryRun,
      ]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /row 3\b.*"provenance\.json"|"provenance\.json".*row 3\b/);
      assert.match(r.stderr, /row 4\b.*"Dataset\.json"|"Dataset\.json".*row 4\b/);
      assert.deepEqual(await listFiles(out), []);
    }
    const v = await runMedprep(["validate", ds.recipe, "--manifest", ds.manifest]);
    assert.equal(v.code, 2, v.stderr);
  }, { recipe: simpleRecipe("{id}.npz") });
});

Deno.test("outputs recorded by another provenance file in --out (shards) are not a user's", async () => {
  await withDataset(async (_ds, _out, args) => {
    for (const shard of ["1/2", "2/2"]) {
      const r = await runMedprep([...args, "--shard", shard]);
      assert.equal(r.code, 0, r.stderr);
    }
    // No provenance.json yet: the shards' files record every output name.
    const whole = await runMedprep(args);
    assert.equal(whole.code, 0, whole.stderr);
  }, { count: 3, recipe: simpleRecipe() });
});

Deno.test("a file --force keeps (changed since the old run wrote it) is never written over by the new recipe", async () => {
  const ds = await createDataset({ count: 2, recipe: simpleRecipe() });
  try {
    const out = `${ds.dir}/out`;
    const args = ["run", ds.recipe, "--manifest", ds.manifest, "--out", out];
    assert.equal((await runMedprep(args)).code, 0);
    const edited = `${out}/sub-01_image.nii.gz`;
    await Deno.writeTextFile(edited, "edited by hand");
    // Another recipe writing the same names.
    const other = `${ds.dir}/other.yaml`;
    await Deno.writeTextFile(
      other,
      (await Deno.readTextFile(ds.recipe)).replace(/name: .*/, "name: other"),
    );
    const r = await runMedprep(["run", other, "--manifest", ds.manifest, "--out", out, "--force"]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--force kept "sub-01_image\.nii\.gz"/);
    assert.match(r.stderr, /Cannot write "[^"]*sub-01_image\.nii\.gz"/);
    assert.equal(await Deno.readTextFile(edited), "edited by hand");
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});
