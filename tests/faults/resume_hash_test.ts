/**
 * Issue 10.5: provenance hashes the bytes that were decoded (one read), the other half of a
 * `.hdr`/`.img` pair is resolved once and is the only extra file a worker may read, and
 * outputs are never created with wider permissions than their inputs.
 */
import assert from "node:assert/strict";
import { runBatch } from "../../src/runner/batch.ts";
import { runSubject } from "../../src/runner/run_subject.ts";
import { createWorkerIo } from "../../src/runner/worker_io.ts";
import { deriveWorkerPermissions } from "../../src/runner/pool.ts";
import type { Job } from "../../src/runner/messages.ts";
import { sha256Bytes } from "../../src/nifti/hash.ts";
import { writeNiftiSync } from "../../src/nifti/nifti_write.ts";
import { makeVolume } from "../_volumes.ts";
import { createDataset } from "../runner/_dataset.ts";
import { testPlan, testRecipe } from "../runner/_fake.ts";

Deno.test("runSubject records the sha256 of the bytes it decoded, not of a file replaced after", async () => {
  const dir = await Deno.makeTempDir({ prefix: "medprep-hash-" });
  try {
    const input = `${dir}/a.nii`;
    writeNiftiSync(input, makeVolume({ shape: [5, 6, 7], dtype: "int16", fn: (i) => i }));
    const original = Deno.readFileSync(input);
    await Deno.mkdir(`${dir}/out`);
    const real = createWorkerIo();
    const io: typeof real = {
      ...real,
      // Another process replaces the input right after medprep read it.
      read: (path, options) => {
        const result = real.read(path, options);
        writeNiftiSync(path, makeVolume({ shape: [3, 3, 3], dtype: "uint8", fn: () => 9 }));
        return result;
      },
    };
    const record = runSubject(
      { id: "a", row: 1, paths: { image: input } },
      {
        recipe: testRecipe([{ step: "load" }, { step: "save" }]),
        outDir: `${dir}/out`,
        maxInputBytes: 1e9,
      },
      { io, plan: testPlan([{ step: "load" }, { step: "save" }]) },
    );
    assert.equal(record.status, "done", String(record.error?.message));
    assert.deepEqual(record.inputs[0].shape, [5, 6, 7]);
    assert.equal(record.inputs[0].sha256, sha256Bytes(original));
    const written = Deno.readFileSync(`${dir}/out/${record.outputs[0].path}`);
    assert.equal(record.outputs[0].sha256, sha256Bytes(written));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deriveWorkerPermissions grants exactly the resolved other half of a pair", () => {
  const job = {
    id: "a",
    row: 1,
    paths: { image: "/in/a.hdr", label: "/in/a_seg.nii.gz" },
    pairs: { "/in/a.hdr": "/in/a.img.gz" },
  } as Job;
  const p = deriveWorkerPermissions("/out", [job]);
  assert.deepEqual(p.read, ["/out", "/in/a.hdr", "/in/a.img.gz", "/in/a_seg.nii.gz"]);
});

Deno.test("run creates outputs no wider than their inputs (0600 input → 0600 outputs)", async () => {
  const ds = await createDataset({ count: 2, recipe: SIMPLE });
  try {
    for (const id of ds.ids) {
      await Deno.chmod(`${ds.dir}/in/${id}_ct.nii.gz`, 0o600);
      await Deno.chmod(`${ds.dir}/in/${id}_seg.nii.gz`, 0o640);
    }
    const out = `${ds.dir}/out`;
    const opts = { quiet: true, command: ["t"], recipe: ds.recipe, manifest: ds.manifest, out };
    assert.equal(await runBatch(opts), 0);
    for (const id of ds.ids) {
      for (const role of ["image", "label"]) {
        const mode = (await Deno.stat(`${out}/${id}_${role}.nii.gz`)).mode! & 0o777;
        assert.equal(mode.toString(8), "600", `${id}_${role}`);
      }
    }
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});

const SIMPLE = `version: 1
name: simple
steps:
  - step: load
    labels: [label]
  - step: save
`;
