/**
 * The output manifest of a run (issue 12 item 9) end to end: it feeds a second recipe
 * (`--manifest out/x/manifest.csv`, and the MSD-style dataset.json), keeps `--resume`'s kept
 * subjects, is written per shard and merged, and never replaces a manifest.csv medprep did
 * not write.
 */
import assert from "node:assert/strict";
import { readCsv } from "../../src/manifest/csv.ts";
import { readNiftiSync } from "../../src/nifti/nifti_read.ts";
import { writeNiftiSync } from "../../src/nifti/nifti_write.ts";
import { makeVolume } from "../_volumes.ts";
import { runCli } from "../cli/_run.ts";

function setup(): { dir: string; first: string; second: string } {
  const dir = Deno.makeTempDirSync({ prefix: "medprep-out-manifest-" });
  const rows = ["id,image,label,split,age"];
  for (const [n, id] of ["a", "b", "c"].entries()) {
    writeNiftiSync(`${dir}/${id}.nii.gz`, makeVolume({ fn: (i, j, k) => i * 3 + j - k + n * 10 }));
    writeNiftiSync(
      `${dir}/${id}_seg.nii.gz`,
      makeVolume({ dtype: "uint8", fn: (i, j) => (i + j + n) % 3 }),
    );
    rows.push(`${id},${id}.nii.gz,${id}_seg.nii.gz,${n === 2 ? "test" : "train"},${40 + n}`);
  }
  Deno.writeTextFileSync(`${dir}/manifest.csv`, rows.join("\n") + "\n");
  const first = `${dir}/first.yaml`;
  Deno.writeTextFileSync(
    first,
    "version: 1\nname: first\nsteps:\n  - step: load\n  - step: clip\n    min: 0\n    max: 20\n" +
      '  - step: save\n    name: "prep/{id}_{role}.nii.gz"\n',
  );
  const second = `${dir}/second.yaml`;
  Deno.writeTextFileSync(
    second,
    "version: 1\nname: second\nsteps:\n  - step: load\n  - step: normalize\n    method: minmax\n" +
      "  - step: save\n",
  );
  return { dir, first, second };
}

async function medprep(args: string[]) {
  return await runCli([...args, "--quiet"]);
}

Deno.test("run writes manifest.csv and dataset.json that feed a second recipe end to end", async () => {
  const { dir, first, second } = setup();
  try {
    const r1 = await medprep([
      "run",
      first,
      "--manifest",
      `${dir}/manifest.csv`,
      "--out",
      `${dir}/out1`,
    ]);
    assert.equal(r1.code, 0, r1.stderr);
    const rows = readCsv(Deno.readTextFileSync(`${dir}/out1/manifest.csv`)).map((r) => r.fields);
    assert.deepEqual(rows[0], ["id", "image", "label", "age", "split"]);
    assert.deepEqual(rows[1], ["a", "prep/a_image.nii.gz", "prep/a_label.nii.gz", "40", "train"]);
    assert.equal(rows.length, 4);
    const prov = JSON.parse(Deno.readTextFileSync(`${dir}/out1/provenance.json`));
    assert.deepEqual(prov.runFiles.map((f: { path: string }) => f.path), [
      "manifest.csv",
      "dataset.json",
    ]);
    const dataset = JSON.parse(Deno.readTextFileSync(`${dir}/out1/dataset.json`));
    assert.deepEqual([dataset.numTraining, dataset.numTest], [2, 1]);
    assert.deepEqual(dataset.training[1], {
      id: "b",
      image: "prep/b_image.nii.gz",
      label: "prep/b_label.nii.gz",
      age: "41",
      split: "train",
    });
    // The second recipe reads the first one's outputs through its manifest.
    const r2 = await medprep([
      "run",
      second,
      "--manifest",
      `${dir}/out1/manifest.csv`,
      "--out",
      `${dir}/out2`,
    ]);
    assert.equal(r2.code, 0, r2.stderr);
    const prov2 = JSON.parse(Deno.readTextFileSync(`${dir}/out2/provenance.json`));
    assert.deepEqual(prov2.subjects.map((s: { status: string }) => s.status), [
      "done",
      "done",
      "done",
    ]);
    assert.equal(prov2.subjects[0].inputs[0].path, `${dir}/out1/prep/a_image.nii.gz`);
    assert.deepEqual(prov2.subjects[0].metadata, { split: "train", age: "40" });
    const clipped = readNiftiSync(`${dir}/out1/prep/a_image.nii.gz`).volume;
    const scaled = readNiftiSync(`${dir}/out2/a_image.nii.gz`).volume;
    const values = Array.from(clipped.data as Int16Array, Number);
    const [lo, hi] = [Math.min(...values), Math.max(...values)];
    for (let i = 0; i < values.length; i++) {
      assert.ok(Math.abs(Number(scaled.data[i]) - (values[i] - lo) / (hi - lo)) < 1e-6);
    }
    // …and through dataset.json (MSD reader): same subjects, roles and metadata.
    const r3 = await medprep([
      "run",
      second,
      "--manifest",
      `${dir}/out1/dataset.json`,
      "--out",
      `${dir}/out3`,
    ]);
    assert.equal(r3.code, 0, r3.stderr);
    assert.deepEqual(
      Deno.readFileSync(`${dir}/out3/b_image.nii.gz`),
      Deno.readFileSync(`${dir}/out2/b_image.nii.gz`),
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("run never replaces a manifest.csv it did not write, and --resume keeps its subjects in the manifest", async () => {
  const { dir, first } = setup();
  try {
    Deno.mkdirSync(`${dir}/out`);
    Deno.writeTextFileSync(`${dir}/out/manifest.csv`, "mine\n");
    const r = await medprep([
      "run",
      first,
      "--manifest",
      `${dir}/manifest.csv`,
      "--out",
      `${dir}/out`,
    ]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /Cannot write ".*\/out\/manifest\.csv": a file medprep did not write/);
    assert.equal(Deno.readTextFileSync(`${dir}/out/manifest.csv`), "mine\n");
    assert.deepEqual([...Deno.readDirSync(`${dir}/out`)].map((e) => e.name), ["manifest.csv"]);
    Deno.removeSync(`${dir}/out/manifest.csv`);
    const ok = await medprep([
      "run",
      first,
      "--manifest",
      `${dir}/manifest.csv`,
      "--out",
      `${dir}/out`,
    ]);
    assert.equal(ok.code, 0, ok.stderr);
    const before = Deno.readTextFileSync(`${dir}/out/manifest.csv`);
    const again = await medprep([
      "run",
      first,
      "--manifest",
      `${dir}/manifest.csv`,
      "--out",
      `${dir}/out`,
      "--resume",
    ]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(Deno.readTextFileSync(`${dir}/out/manifest.csv`), before);
    assert.equal(readCsv(before).length, 4);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("sharded runs write a manifest per shard and merge-provenance writes the merged one", async () => {
  const { dir, first } = setup();
  try {
    for (const shard of ["1/2", "2/2"]) {
      const r = await medprep([
        "run",
        first,
        "--manifest",
        `${dir}/manifest.csv`,
        "--out",
        `${dir}/out`,
        "--shard",
        shard,
      ]);
      assert.equal(r.code, 0, r.stderr);
    }
    const ids = (f: string) =>
      readCsv(Deno.readTextFileSync(`${dir}/out/${f}`)).slice(1).map((r) => r.fields[0]);
    const parts = [...ids("manifest.shard-1-of-2.csv"), ...ids("manifest.shard-2-of-2.csv")].sort();
    assert.deepEqual(parts, ["a", "b", "c"]);
    const m = await runCli(["merge-provenance", `${dir}/out`]);
    assert.equal(m.code, 0, m.stderr);
    assert.deepEqual(ids("manifest.csv"), ["a", "b", "c"]);
    const dataset = JSON.parse(Deno.readTextFileSync(`${dir}/out/dataset.json`));
    assert.equal(dataset.numTraining + dataset.numTest, 3);
    const prov = JSON.parse(Deno.readTextFileSync(`${dir}/out/provenance.json`));
    assert.deepEqual(prov.runFiles.map((f: { path: string }) => f.path), [
      "manifest.csv",
      "dataset.json",
    ]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("--force to another recipe refuses a changed manifest.csv before removing anything", async () => {
  const { dir, first, second } = setup();
  try {
    const out = `${dir}/out`;
    const r1 = await medprep(["run", first, "--manifest", `${dir}/manifest.csv`, "--out", out]);
    assert.equal(r1.code, 0, r1.stderr);
    const before = [...Deno.readDirSync(`${out}/prep`)].map((e) => e.name).sort();
    Deno.writeTextFileSync(`${out}/manifest.csv`, "edited by hand\n");
    const r2 = await medprep([
      "run",
      second,
      "--manifest",
      `${dir}/manifest.csv`,
      "--out",
      out,
      "--force",
    ]);
    assert.equal(r2.code, 2, r2.stderr);
    assert.match(
      r2.stderr,
      /manifest\.csv": a file medprep did not write \(or that changed since\)/,
    );
    assert.deepEqual([...Deno.readDirSync(`${out}/prep`)].map((e) => e.name).sort(), before);
    assert.equal(Deno.readTextFileSync(`${out}/manifest.csv`), "edited by hand\n");
    // Unchanged, the old run's manifest goes with its outputs.
    Deno.removeSync(`${out}/manifest.csv`);
    const r3 = await medprep([
      "run",
      second,
      "--manifest",
      `${dir}/manifest.csv`,
      "--out",
      out,
      "--force",
    ]);
    assert.equal(r3.code, 0, r3.stderr);
    const rows = readCsv(Deno.readTextFileSync(`${out}/manifest.csv`)).map((r) => r.fields);
    assert.deepEqual(rows[1].slice(0, 3), ["a", "a_image.nii.gz", "a_label.nii.gz"]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
