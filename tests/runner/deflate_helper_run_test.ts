/**
 * Issue 15.1: with fewer workers than cores every runner worker gets a deflate helper thread
 * that compresses every other chunk of its .nii.gz outputs. The files must be the very bytes a
 * run without helpers writes (here: `--workers 1`, with a helper on a machine of 2+ cores,
 * against `--workers 2` on 2 cores, or a `.nii` run gzipped by one thread).
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { gzipBytes } from "../../src/nifti/gzip_writer.ts";
import { medprep } from "../faults/_faults.ts";
import { createDataset, readTree } from "./_dataset.ts";

const RECIPE = (ext: string) =>
  `version: 1
name: helper
steps:
  - step: load
  - step: clip
    min: -500
    max: 500
  - step: save
    dtype: float32
    name: "{id}_{role}.${ext}"
`;

const sha = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

async function run(dir: string, out: string, workers: number) {
  const args = ["run", "recipe.yaml", "--manifest", "manifest.csv", "--out", out];
  const r = await medprep([...args, "--workers", String(workers), "--quiet"], { cwd: dir })
    .output();
  assert.equal(r.code, 0, new TextDecoder().decode(r.stderr));
  const tree = await readTree(`${dir}/${out}`);
  return new Map([...tree].filter(([name]) => /\.nii(\.gz)?$/.test(name)));
}

Deno.test("run: .nii.gz outputs are the same bytes with and without deflate helper threads", async () => {
  if ((navigator.hardwareConcurrency ?? 1) < 2) {
    console.warn("NOTICE: one core: no worker gets a deflate helper; comparing single-thread runs");
  }
  // 128×96×72 float32: 3.4 MiB of voxels, four chunks: a helper takes the first of each pair.
  const ds = await createDataset({ count: 2, shape: [128, 96, 72], recipe: RECIPE("nii.gz") });
  try {
    const helped = await run(ds.dir, "one", 1);
    const plain = await run(ds.dir, "two", 2);
    assert.equal(helped.size, 4);
    assert.deepEqual([...helped.keys()].sort(), [...plain.keys()].sort());
    for (const [name, bytes] of helped) assert.equal(sha(bytes), sha(plain.get(name)!), name);
    // …and the bytes one thread makes from the uncompressed file.
    await Deno.writeTextFile(`${ds.dir}/recipe.yaml`, RECIPE("nii"));
    const raw = await run(ds.dir, "raw", 1);
    for (const [name, bytes] of raw) {
      assert.equal(sha(gzipBytes(bytes)), sha(helped.get(`${name}.gz`)!), name);
    }
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});
