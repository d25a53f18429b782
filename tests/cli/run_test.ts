import assert from "node:assert/strict";
import { runBatch } from "../../src/runner/batch.ts";
import { comparable, createDataset, readTree } from "../runner/_dataset.ts";
import { HEAVY_RECIPE as HEAVY, medprep } from "../faults/_faults.ts";

async function listOutputs(dir: string): Promise<string[]> {
  try {
    return [...(await readTree(dir)).keys()].sort();
  } catch {
    return [];
  }
}

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  Deno.test(`run stops cleanly on ${signal} (exit 130) and --resume completes it identically`, async () => {
    const ds = await createDataset({ count: 14, shape: [30, 26, 20], recipe: HEAVY });
    try {
      const out = `${ds.dir}/out`;
      const child = medprep([
        "run",
        ds.recipe,
        "--manifest",
        ds.manifest,
        "--out",
        out,
        "--workers",
        "2",
      ])
        .spawn();
      const output = child.output();
      let exited = false;
      output.then(() => exited = true, () => exited = true);
      const deadline = Date.now() + 60_000;
      while ((await listOutputs(out)).filter((n) => n.endsWith("_label.nii.gz")).length < 2) {
        if (exited || Date.now() > deadline) {
          if (!exited) child.kill("SIGKILL");
          const early = await output;
          assert.fail(`the run ended or stalled early: ${new TextDecoder().decode(early.stderr)}`);
        }
        await new Promise((r) => setTimeout(r, 20));
      }
      child.kill(signal);
      const status = await output;
      const stderr = new TextDecoder().decode(status.stderr);
      assert.equal(status.code, 130, stderr);
      assert.match(stderr, /interrupted; run again with --resume/);
      const files = await listOutputs(out);
      assert.deepEqual(files.filter((n) => n.includes(".medprep-tmp-")), [], "temp files left");
      const prov = JSON.parse(await Deno.readTextFile(`${out}/provenance.json`));
      assert.equal(prov.status, "interrupted");
      const done = prov.subjects.filter((s: { status: string }) => s.status === "done");
      assert.ok(done.length >= 2 && done.length < 14, `done: ${done.length}`);
      const recorded = prov.subjects.flatMap((s: { outputs: { path: string }[] }) =>
        s.outputs.map((o) => o.path)
      ).sort();
      assert.deepEqual(
        files.filter((n) =>
          !["provenance.json", "manifest.csv", "dataset.json", "report.html"].includes(n)
        ),
        recorded,
        "only finished outputs",
      );
      assert.equal(prov.subjects.length, 14);

      const base = { quiet: true, command: ["test"], recipe: ds.recipe, manifest: ds.manifest };
      assert.equal(await runBatch({ ...base, out, resume: true, workers: 2 }), 0);
      const clean = `${ds.dir}/clean`;
      assert.equal(await runBatch({ ...base, out: clean, workers: 2 }), 0);
      const [a, b] = [await readTree(out), await readTree(clean)];
      assert.deepEqual([...a.keys()].sort(), [...b.keys()].sort());
      for (const [name, bytes] of b) {
        if (name !== "provenance.json" && name !== "report.html") {
          assert.deepEqual(a.get(name), bytes, name);
        }
      }
      const pa = JSON.parse(new TextDecoder().decode(a.get("provenance.json")));
      const pb = JSON.parse(new TextDecoder().decode(b.get("provenance.json")));
      assert.equal(pa.status, "complete");
      assert.deepEqual(comparable(pa), comparable(pb));
    } finally {
      await Deno.remove(ds.dir, { recursive: true });
    }
  });
}

Deno.test("run exits 2 on a missing manifest and 0/1 per SPEC, with a one-line error", async () => {
  const ds = await createDataset({ count: 1, recipe: HEAVY });
  try {
    const missing = await medprep(["run", ds.recipe, "--manifest", `${ds.dir}/nope.csv`]).output();
    assert.equal(missing.code, 2);
    const err = new TextDecoder().decode(missing.stderr).trim();
    assert.match(err, /Cannot read manifest ".*nope\.csv": file not found/);
    assert.equal(err.split("\n").length, 1);
    const noManifest = await medprep(["run", ds.recipe]).output();
    assert.equal(noManifest.code, 2);
    const badWorkers = await medprep(["run", ds.recipe, "--workers", "0"]).output();
    assert.equal(badWorkers.code, 2);
    const bigSeed = await medprep(["run", ds.recipe, "--seed", "99999999999999999999"]).output();
    assert.equal(bigSeed.code, 2);
    assert.match(
      new TextDecoder().decode(bigSeed.stderr),
      /'99999999999999999999' is invalid\. must be an integer from 0 to 9007199254740991/,
    );
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});

Deno.test("merge-provenance writes provenance.json and exits 1 when a shard is missing", async () => {
  const ds = await createDataset({ count: 4, recipe: HEAVY.replace("bspline", "nearest") });
  try {
    const out = `${ds.dir}/out`;
    const base = { quiet: true, command: ["test"], recipe: ds.recipe, manifest: ds.manifest, out };
    assert.equal(await runBatch({ ...base, shard: "1/2" }), 0);
    const partial = await medprep(["merge-provenance", out]).output();
    assert.equal(partial.code, 1);
    const err = new TextDecoder().decode(partial.stderr);
    assert.match(err, /Shard 2 of 2 is missing/);
    assert.match(err, /Subject "sub-02" is in no shard/);
    assert.equal(await runBatch({ ...base, shard: "2/2" }), 0);
    const full = await medprep(["merge-provenance", out]).output();
    assert.equal(full.code, 0, new TextDecoder().decode(full.stderr));
    const merged = JSON.parse(await Deno.readTextFile(`${out}/provenance.json`));
    assert.equal(merged.status, "complete");
    assert.deepEqual(merged.subjects.map((s: { id: string }) => s.id), ds.ids);
    const none = await medprep(["merge-provenance", ds.dir]).output();
    assert.equal(none.code, 1);
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});
