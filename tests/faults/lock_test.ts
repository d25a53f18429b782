/**
 * Issue #10 item 3: one writer per output folder (per shard), and input/output clash checks
 * over the whole manifest, whatever shard runs.
 */
import assert from "node:assert/strict";
import { writeNiftiSync } from "../../src/nifti/nifti_write.ts";
import { makeVolume } from "../_volumes.ts";
import { createDataset } from "../runner/_dataset.ts";
import { HEAVY_RECIPE, listFiles, medprep, runMedprep, simpleRecipe, waitFor } from "./_faults.ts";

async function hasStaging(out: string): Promise<boolean> {
  try {
    for await (const e of Deno.readDir(out)) if (e.name.startsWith(".medprep-tmp-run")) return true;
  } catch { /* not yet */ }
  return false;
}

Deno.test("a second run into the same --out is refused (exit 2) while the first runs", async () => {
  const ds = await createDataset({ count: 6, shape: [30, 26, 20], recipe: HEAVY_RECIPE });
  try {
    const out = `${ds.dir}/out`;
    const args = ["run", ds.recipe, "--manifest", ds.manifest, "--out", out, "--workers", "1"];
    const child = medprep(args).spawn();
    const output = child.output();
    await waitFor(() => hasStaging(out), "the first run to start");
    const second = await runMedprep(args);
    assert.equal(second.code, 2, second.stderr);
    assert.match(second.stderr, /\.medprep\.lock/);
    assert.match(second.stderr, /another medprep run .*pid \d+/);
    assert.equal((await output).code, 0, "the first run is not disturbed");
    assert.equal((await listFiles(out)).filter((n) => n.endsWith(".nii.gz")).length, 12);
    assert.ok(!(await listFiles(out)).some((n) => n.endsWith(".lock")), "lock released");
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});

Deno.test("a stale lock of a dead run on this host is taken over with a message", async () => {
  const ds = await createDataset({ count: 1, recipe: simpleRecipe() });
  try {
    const out = `${ds.dir}/out`;
    await Deno.mkdir(out);
    const dead = new Deno.Command("true").spawn();
    const pid = dead.pid;
    await dead.status;
    await Deno.writeTextFile(
      `${out}/.medprep.lock`,
      JSON.stringify({ pid, host: Deno.hostname(), started: "2026-01-01T00:00:00.000Z" }),
    );
    const r = await runMedprep(["run", ds.recipe, "--manifest", ds.manifest, "--out", out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`stale lock .*pid ${pid}.* no longer running`));
    assert.deepEqual(await listFiles(out), [
      "dataset.json",
      "manifest.csv",
      "provenance.json",
      "report.html",
      "sub-01_image.nii.gz",
      "sub-01_label.nii.gz",
    ]);
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});

Deno.test("a lock held by another host is refused with how to remove it (exit 2)", async () => {
  const ds = await createDataset({ count: 1, recipe: simpleRecipe() });
  try {
    const out = `${ds.dir}/out`;
    await Deno.mkdir(out);
    const lock = JSON.stringify({ pid: 4242, host: "node-17.cluster", started: "2026-01-01" });
    await Deno.writeTextFile(`${out}/.medprep.lock`, lock);
    const r = await runMedprep(["run", ds.recipe, "--manifest", ds.manifest, "--out", out]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /node-17\.cluster/);
    assert.match(r.stderr, /pid 4242/);
    assert.match(r.stderr, /delete .*\.medprep\.lock/);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    assert.deepEqual(await listFiles(out), [".medprep.lock"], "nothing written");
    assert.equal(await Deno.readTextFile(`${out}/.medprep.lock`), lock, "lock left alone");
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});

Deno.test("concurrent shards into one --out keep working (a lock per shard)", async () => {
  const ds = await createDataset({ count: 6, shape: [30, 26, 20], recipe: HEAVY_RECIPE });
  try {
    const out = `${ds.dir}/out`;
    const args = ["run", ds.recipe, "--manifest", ds.manifest, "--out", out, "--workers", "1"];
    const [a, b] = await Promise.all([
      runMedprep([...args, "--shard", "1/2"]),
      runMedprep([...args, "--shard", "2/2"]),
    ]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    const files = await listFiles(out);
    assert.equal(files.filter((n) => n.endsWith(".nii.gz")).length, 12);
    assert.ok(files.includes("provenance.shard-1-of-2.json"));
    assert.ok(files.includes("provenance.shard-2-of-2.json"));
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});

Deno.test("--shard 1/2 refuses to overwrite an input of shard 2 (whole-manifest clash check)", async () => {
  const ds = await createDataset({ count: 1, recipe: simpleRecipe("", { labels: false }) });
  try {
    const out = `${ds.dir}/out`;
    await Deno.mkdir(out);
    // sub-02's input lives in --out under the name sub-01's output gets.
    writeNiftiSync(`${out}/sub-01_image.nii.gz`, makeVolume({ shape: [5, 6, 7], fn: (i) => i }));
    const input = await Deno.readFile(`${out}/sub-01_image.nii.gz`);
    await Deno.writeTextFile(
      ds.manifest,
      `id,image\nsub-01,in/sub-01_ct.nii.gz\nsub-02,out/sub-01_image.nii.gz\n`,
    );
    const whole = await runMedprep(["run", ds.recipe, "--manifest", ds.manifest, "--out", out]);
    assert.equal(whole.code, 2, whole.stderr);
    const r = await runMedprep([
      "run",
      ds.recipe,
      "--manifest",
      ds.manifest,
      "--out",
      out,
      "--shard",
      "1/2",
    ]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /it is the input of row 3 \(subject "sub-02"/);
    assert.deepEqual(await Deno.readFile(`${out}/sub-01_image.nii.gz`), input, "input intact");
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});
