/**
 * The commands besides `run` that write files (restore, split, merge-provenance, report,
 * fingerprint) and `run --force`'s removals: an input is never overwritten or removed, whatever
 * path leads to it (a symlinked folder, a hard link), and a user's file is never replaced; a
 * refusal is exit 2 with nothing written.
 */
import assert from "node:assert/strict";
import { createDataset, readTree } from "../runner/_dataset.ts";
import { runMedprep, spacingRecipe } from "./_faults.ts";

const RECIPE = spacingRecipe("first", 2, '    name: "{id}_{role}.nii.gz"\n    compression: 1\n');

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

Deno.test("restore --force never writes over an original input through a symlinked folder or a hard link (exit 2)", async () => {
  const ds = await createDataset({ count: 1, recipe: RECIPE });
  try {
    const out = `${ds.dir}/out`;
    const run = await cli(["run", ds.recipe, "--manifest", ds.manifest, "--out", out, "--quiet"]);
    assert.equal(run.code, 0, run.stderr);
    await Deno.symlink(`${ds.dir}/in`, `${ds.dir}/inlink`);
    await Deno.link(`${ds.dir}/in/sub-01_seg.nii.gz`, `${ds.dir}/hard.nii.gz`);
    const before = await readTree(`${ds.dir}/in`);
    const base = [
      "restore",
      `${out}/sub-01_image.nii.gz`,
      "--provenance",
      `${out}/provenance.json`,
      "--subject",
      "sub-01",
      "--force",
    ];
    for (const target of [`${ds.dir}/inlink/sub-01_ct.nii.gz`, `${ds.dir}/hard.nii.gz`]) {
      const r = await cli([...base, "-o", target]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(
        r.stderr,
        /Cannot write .*: it is the same file as the input "[^"]*sub-01_(ct|seg)/,
      );
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr); // one line
    }
    assert.deepEqual(await readTree(`${ds.dir}/in`), before);
    // An ordinary output is still written.
    const ok = await cli([...base, "-o", `${ds.dir}/restored.nii.gz`]);
    assert.equal(ok.code, 0, ok.stderr);
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});

Deno.test("split --force never writes over the input manifest or an input through a symlinked folder (exit 2)", async () => {
  const ds = await createDataset({ count: 4 });
  try {
    await Deno.symlink(ds.dir, `${ds.dir}/link`);
    const before = await readTree(`${ds.dir}/in`);
    const manifest = await Deno.readTextFile(ds.manifest);
    const cases: [string[], RegExp][] = [
      [["--out", `${ds.dir}/link/manifest.csv`], /Cannot overwrite the input manifest/],
      [
        ["--out", `${ds.dir}/folds.csv`, "--splits", `${ds.dir}/link/in/sub-01_ct.nii.gz`],
        /--splits: Cannot write "[^"]*": it is the same file as the input "[^"]*sub-01_ct/,
      ],
    ];
    for (const [args, message] of cases) {
      const r = await cli(["split", ds.manifest, "--folds", "2", ...args, "--force"]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, message);
      await assert.rejects(Deno.stat(`${ds.dir}/folds.csv`), Deno.errors.NotFound);
    }
    assert.equal(await Deno.readTextFile(ds.manifest), manifest);
    assert.deepEqual(await readTree(`${ds.dir}/in`), before);
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});

Deno.test("merge-provenance writes nothing over a user's provenance.json, report.html or manifest.csv (exit 2); replaces its own", async () => {
  const ds = await createDataset({ count: 2, recipe: RECIPE });
  try {
    const out = `${ds.dir}/out`;
    for (const shard of ["1/2", "2/2"]) {
      const r = await cli([
        "run",
        ds.recipe,
        "--manifest",
        ds.manifest,
        "--out",
        out,
        "--shard",
        shard,
        "--quiet",
      ]);
      assert.equal(r.code, 0, r.stderr);
    }
    for (const name of ["provenance.json", "report.html", "manifest.csv"]) {
      await Deno.writeTextFile(`${out}/${name}`, `my own ${name}\n`);
      const before = await readTree(out);
      const r = await cli(["merge-provenance", out]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, new RegExp(`Cannot write "[^"]*/${name.replace(".", "\\.")}": `));
      assert.deepEqual(await readTree(out), before, name);
      await Deno.remove(`${out}/${name}`);
    }
    // Its own merge is replaced by the next merge.
    for (let n = 0; n < 2; n++) {
      const r = await cli(["merge-provenance", out]);
      assert.equal(r.code, 0, r.stderr);
    }
    assert.match(await Deno.readTextFile(`${out}/report.html`), /medprep report: first/);
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});

Deno.test("fingerprint RECIPE never replaces a user's dataset-stats.json (exit 2, before any work); replaces its own", async () => {
  const ds = await createDataset({ count: 2, recipe: STATS_RECIPE });
  try {
    const out = `${ds.dir}/stats`;
    await Deno.mkdir(out);
    await Deno.writeTextFile(`${out}/dataset-stats.json`, '{"mine": true}\n');
    const args = ["fingerprint", ds.recipe, "--manifest", ds.manifest, "--out", out, "--quiet"];
    const r = await cli(args);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /Cannot write "[^"]*dataset-stats\.json": a file medprep did not write/);
    assert.equal(await Deno.readTextFile(`${out}/dataset-stats.json`), '{"mine": true}\n');
    await Deno.remove(`${out}/dataset-stats.json`);
    for (let n = 0; n < 2; n++) {
      const again = await cli(args);
      assert.equal(again.code, 0, again.stderr);
    }
    assert.equal(
      JSON.parse(await Deno.readTextFile(`${out}/dataset-stats.json`)).kind,
      "medprep-dataset-stats",
    );
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});

Deno.test("fingerprint RECIPE never replaces the dataset-stats.json a run in that folder recorded (exit 2)", async () => {
  const ds = await createDataset({ count: 3, recipe: STATS_RECIPE });
  try {
    const out = `${ds.dir}/out`;
    const run = await cli(["run", ds.recipe, "--manifest", ds.manifest, "--out", out, "--quiet"]);
    assert.equal(run.code, 0, run.stderr);
    const before = await Deno.readTextFile(`${out}/dataset-stats.json`);
    // Statistics of another dataset (two of the three subjects) into the run's folder.
    const rows = (await Deno.readTextFile(ds.manifest)).trim().split("\n");
    await Deno.writeTextFile(`${ds.dir}/two.csv`, rows.slice(0, 3).join("\n") + "\n");
    const r = await cli([
      "fingerprint",
      ds.recipe,
      "--manifest",
      `${ds.dir}/two.csv`,
      "--out",
      out,
      "--quiet",
    ]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /provenance\.json/);
    assert.equal(await Deno.readTextFile(`${out}/dataset-stats.json`), before);
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});

Deno.test("fingerprint --recipe-out --force never writes over an input through a symlinked folder (exit 2)", async () => {
  const ds = await createDataset({ count: 2 });
  try {
    await Deno.symlink(ds.dir, `${ds.dir}/link`);
    const manifest = await Deno.readTextFile(ds.manifest);
    const r = await cli([
      "fingerprint",
      "--manifest",
      ds.manifest,
      "--recipe-out",
      `${ds.dir}/link/manifest.csv`,
      "--force",
    ]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /it is the same file as the input/);
    assert.equal(await Deno.readTextFile(ds.manifest), manifest);
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});

Deno.test("report OUT_DIR --provenance FILE writes OUT_DIR's report, never beside FILE or over a user's report.html (exit 2)", async () => {
  const ds = await createDataset({ count: 1, recipe: RECIPE });
  try {
    const out = `${ds.dir}/out`;
    const run = await cli(["run", ds.recipe, "--manifest", ds.manifest, "--out", out, "--quiet"]);
    assert.equal(run.code, 0, run.stderr);
    await Deno.mkdir(`${ds.dir}/else`);
    await Deno.copyFile(`${out}/provenance.json`, `${ds.dir}/else/notes.json`);
    await Deno.writeTextFile(`${ds.dir}/else/notes.html`, "my notes\n");
    const o = `${ds.dir}/o`;
    await Deno.mkdir(o);
    const r = await cli(["report", o, "--provenance", `${ds.dir}/else/notes.json`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await Deno.readTextFile(`${ds.dir}/else/notes.html`), "my notes\n");
    assert.match(await Deno.readTextFile(`${o}/report.html`), /medprep report: first/);
    // A report.html medprep did not write is never replaced.
    await Deno.writeTextFile(`${out}/report.html`, "my report\n");
    const mine = await cli(["report", out]);
    assert.equal(mine.code, 2, mine.stderr);
    assert.match(mine.stderr, /Cannot write "[^"]*report\.html": /);
    assert.equal(await Deno.readTextFile(`${out}/report.html`), "my report\n");
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});

Deno.test("run never replaces a user's report.html in --out (exit 2, before any work); --force replaces the old recipe's", async () => {
  const ds = await createDataset({ count: 1, recipe: RECIPE });
  try {
    const out = `${ds.dir}/out`;
    await Deno.mkdir(out);
    await Deno.writeTextFile(`${out}/report.html`, "my report\n");
    const args = ["run", ds.recipe, "--manifest", ds.manifest, "--out", out, "--quiet"];
    const mine = await cli(args);
    assert.equal(mine.code, 2, mine.stderr);
    assert.match(mine.stderr, /Cannot write "[^"]*report\.html": a file medprep did not write/);
    assert.deepEqual([...(await readTree(out)).keys()], ["report.html"]);
    await Deno.remove(`${out}/report.html`);
    assert.equal((await cli(args)).code, 0);
    assert.equal((await cli(args)).code, 0); // its own report is rebuilt
    await Deno.writeTextFile(`${ds.dir}/r2.yaml`, RECIPE.replace("name: first", "name: second"));
    const other = await cli(["run", `${ds.dir}/r2.yaml`, ...args.slice(2), "--force"]);
    assert.equal(other.code, 0, other.stderr);
    assert.match(await Deno.readTextFile(`${out}/report.html`), /medprep report: second/);
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});
