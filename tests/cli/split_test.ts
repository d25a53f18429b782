import { deepEqual, equal, match, notEqual, ok } from "node:assert/strict";
import { createDataset } from "../runner/_dataset.ts";
import { readManifest } from "../../src/manifest/manifest.ts";
import { runCli } from "./_run.ts";

const SIMPLE =
  'version: 1\nsteps:\n  - step: load\n  - step: save\n    name: "{id}_{role}.nii.gz"\n';

/** 10 subjects, 2 scans per patient, label_present 1 for every third patient. */
async function patientDataset() {
  const ds = await createDataset({ count: 10, recipe: SIMPLE });
  const lines = (await Deno.readTextFile(ds.manifest)).trim().split("\n");
  const body = lines.slice(1).map((l, n) =>
    `${l},pat${Math.floor(n / 2)},${Math.floor(n / 2) % 3 === 0 ? 1 : 0}`
  );
  await Deno.writeTextFile(
    ds.manifest,
    [`${lines[0]},patient_id,label_present`, ...body].join("\n") + "\n",
  );
  return ds;
}

/** Checks nnU-Net's splits_final.json layout with Python's json (the format's reader). */
async function checkWithPython(path: string, ids: string[]): Promise<void> {
  const script = `
import json, sys
s = json.load(open(sys.argv[1]))
ids = sorted(sys.argv[2:])
assert isinstance(s, list) and len(s) == 5, s
vals = []
for f in s:
    assert sorted(f.keys()) == ["train", "val"], f.keys()
    assert all(isinstance(x, str) for x in f["train"] + f["val"])
    assert sorted(f["train"] + f["val"]) == ids
    assert not set(f["train"]) & set(f["val"])
    vals += f["val"]
assert sorted(vals) == ids
print("ok")
`;
  const out = await new Deno.Command("/usr/bin/python3", {
    args: ["-c", script, path, ...ids],
    stdout: "piped",
    stderr: "piped",
  }).output();
  equal(new TextDecoder().decode(out.stdout).trim(), "ok", new TextDecoder().decode(out.stderr));
}

Deno.test("split writes a fold column and nnU-Net's splits_final.json; run --where selects a fold", async () => {
  const ds = await patientDataset();
  try {
    const out = `${ds.dir}/folds/m.csv`;
    await Deno.mkdir(`${ds.dir}/folds`);
    const r = await runCli([
      "split",
      ds.manifest,
      "--folds",
      "5",
      "--seed",
      "0",
      "--group",
      "patient_id",
      "--stratify",
      "label_present",
      "--out",
      out,
    ]);
    equal(r.code, 0, r.stderr);
    match(r.stderr, /10 subjects in 5 group\(s\)/);
    const splitsPath = `${ds.dir}/folds/splits_final.json`;
    await checkWithPython(splitsPath, ds.ids);
    const splits = JSON.parse(await Deno.readTextFile(splitsPath));
    // The written manifest reads back to the same files (paths relative to its own folder).
    const original = await readManifest(ds.manifest);
    const folded = await readManifest(out);
    deepEqual(folded.roles, original.roles);
    deepEqual(folded.metadata, ["patient_id", "label_present", "fold"]);
    for (const [n, row] of folded.rows.entries()) {
      deepEqual(row.paths, original.rows[n].paths);
      const fold = Number(row.metadata!.fold);
      ok(splits[fold].val.includes(row.id));
      // Both scans of a patient share a fold.
      const mate = folded.rows[n ^ 1];
      equal(mate.metadata!.fold, row.metadata!.fold);
    }
    const run = await runCli([
      "run",
      ds.recipe,
      "--manifest",
      out,
      "--out",
      `${ds.dir}/o`,
      "--quiet",
      "--where",
      "fold!=0",
    ]);
    equal(run.code, 0, run.stderr);
    const p = JSON.parse(await Deno.readTextFile(`${ds.dir}/o/provenance.json`));
    deepEqual(p.subjects.map((s: { id: string }) => s.id), splits[0].train);
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});

Deno.test("split is deterministic (same bytes for the same seed) and never overwrites without --force", async () => {
  const ds = await patientDataset();
  try {
    const base = ["split", ds.manifest, "--group", "patient_id", "--quiet"];
    const out = `${ds.dir}/folds.json`;
    equal((await runCli([...base, "--out", out])).code, 0);
    const first = await Deno.readTextFile(out);
    const firstSplits = await Deno.readTextFile(`${ds.dir}/splits_final.json`);
    const again = await runCli([...base, "--out", out]);
    equal(again.code, 2);
    match(
      again.stderr,
      /--out: Cannot write ".*folds\.json": it exists; give --force to replace it/,
    );
    match(again.stderr, /--splits: Cannot write ".*splits_final\.json": it exists/);
    equal((await runCli([...base, "--out", out, "--force"])).code, 0);
    equal(await Deno.readTextFile(out), first);
    equal(await Deno.readTextFile(`${ds.dir}/splits_final.json`), firstSplits);
    equal((await runCli([...base, "--out", out, "--force", "--seed", "3"])).code, 0);
    notEqual(await Deno.readTextFile(`${ds.dir}/splits_final.json`), firstSplits);
    // JSON output keeps metadata and gives fold as a number.
    const rows = JSON.parse(first);
    equal(typeof rows[0].fold, "number");
    equal(rows[0].patient_id, "pat0");
    deepEqual(Object.keys(rows[0]), [
      "id",
      "image",
      "label",
      "patient_id",
      "label_present",
      "fold",
    ]);
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});

Deno.test("split rejects unknown columns, too many folds and the input as output (exit 2, nothing written)", async () => {
  const ds = await patientDataset();
  try {
    const out = `${ds.dir}/x.csv`;
    const unknown = await runCli(["split", ds.manifest, "--group", "patient_di", "--out", out]);
    equal(unknown.code, 2);
    match(
      unknown.stderr,
      /--group: Cannot split by "patient_di": the manifest has no such metadata column; did you mean `patient_id`\?/,
    );
    const role = await runCli(["split", ds.manifest, "--stratify", "label", "--out", out]);
    equal(role.code, 2);
    match(role.stderr, /it is a role \(a path column\), not metadata/);
    const many = await runCli([
      "split",
      ds.manifest,
      "--folds",
      "6",
      "--group",
      "patient_id",
      "--out",
      out,
    ]);
    equal(many.code, 2);
    match(many.stderr, /Cannot make 6 folds from 5 groups \(patient_id\)/);
    equal((await runCli(["split", ds.manifest, "--folds", "1", "--out", out])).code, 2);
    const self = await runCli(["split", ds.manifest, "--out", ds.manifest]);
    equal(self.code, 2);
    match(self.stderr, /Cannot overwrite the input manifest/);
    equal(await Deno.stat(out).then(() => true, () => false), false);
    equal(await Deno.stat(`${ds.dir}/splits_final.json`).then(() => true, () => false), false);
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});
