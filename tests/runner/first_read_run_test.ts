/**
 * Issue 15.1: with a core no worker uses, the main thread reads the first worker's first subject
 * while the worker starts (runner/first_buffers.ts). The run must not change by a byte: outputs,
 * provenance (input digests, geometry, steps' records, outputs) and a bad first subject's error
 * equal a run where the worker reads everything itself — here the same `--workers 1` run held
 * to one core (`taskset -c 0`: the process sees one CPU, so the main thread reads nothing).
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { hasTaskset, medprepCommand } from "../cli/_run.ts";
import { createDataset, readTree } from "./_dataset.ts";
import type { Provenance } from "../../src/provenance/types.ts";

const RECIPE = `version: 1
name: first-read
steps:
  - step: load
  - step: resample-to-size
    size: [64, 48, 36]
    interpolation: linear
  - step: clip
    min: -500
    max: 500
  - step: save
    dtype: float32
`;

async function run(dir: string, out: string, oneCore: boolean) {
  const args = ["run", "recipe.yaml", "--manifest", "manifest.csv", "--out", out, "--workers", "1"];
  const [command, ...rest] = [...(oneCore ? ["taskset", "-c", "0"] : []), ...medprepCommand(args)];
  const r = await new Deno.Command(command, { args: rest, cwd: dir, stdin: "null" }).output();
  const tree = await readTree(`${dir}/${out}`);
  const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
  const files = new Map(
    [...tree].filter(([name]) => /\.nii(\.gz)?$/.test(name)).map(([n, b]) => [n, sha(b)]),
  );
  const provenance = JSON.parse(
    await Deno.readTextFile(`${dir}/${out}/provenance.json`),
  ) as Provenance;
  // Everything a subject records but its timings.
  const subjects = provenance.subjects.map((s) => ({
    ...s,
    steps: s.steps.map((step) => ({ ...step, ms: 0 })),
  }));
  return { code: r.code, files, subjects };
}

Deno.test("run: the main thread's read of the first subject changes no output, record or error", async () => {
  const spare = (navigator.hardwareConcurrency ?? 1) >= 2;
  if (!spare || !(await hasTaskset())) {
    console.warn(
      "NOTICE: first_read_run_test skipped: needs 2+ cores and taskset (util-linux) to compare " +
        "a run where the main thread reads the first subject with one where it does not",
    );
    return;
  }
  // 128×96×72: 1.7 MiB of int16-or-float voxels per image, pooled sizes for the worker.
  const ds = await createDataset({ count: 3, shape: [128, 96, 72], recipe: RECIPE });
  try {
    const helped = await run(ds.dir, "main-read", false);
    const plain = await run(ds.dir, "worker-read", true);
    assert.equal(helped.code, 0);
    assert.equal(plain.code, 0);
    assert.equal(helped.files.size, 6);
    assert.deepEqual(helped.files, plain.files);
    assert.deepEqual(helped.subjects, plain.subjects);
    // A first subject that cannot be read: the worker's own error, word for word, and the
    // others still done.
    const ct = `${ds.dir}/in/${ds.ids[0]}_ct.nii.gz`;
    const bytes = await Deno.readFile(ct);
    await Deno.writeFile(ct, bytes.slice(0, Math.floor(bytes.length / 2)));
    const bad = await run(ds.dir, "bad-main", false);
    const badPlain = await run(ds.dir, "bad-worker", true);
    assert.equal(bad.code, badPlain.code);
    assert.notEqual(bad.code, 0);
    assert.deepEqual(bad.subjects, badPlain.subjects);
    assert.deepEqual(bad.subjects.map((s) => s.status), ["failed", "done", "done"]);
    assert.match(bad.subjects[0].error?.message ?? "", /_ct\.nii\.gz/);
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});
