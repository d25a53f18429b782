/**
 * Step outputs from the worker's pool (volume/dtype.ts setVoxelAllocator, run_subject.ts
 * recycle): buffers go back to the pool only when no volume of the subject uses them, so
 * reusing them never changes a byte. Proven here by running several subjects through one
 * pooled io (as one worker does: float steps, augment copies that fork the subject, direct
 * save) and comparing every output with a run on fresh memory.
 */
import assert from "node:assert/strict";
import { bindRecipe } from "../../src/recipe/plan.ts";
import { validateRecipePlan } from "../../src/recipe/validate.ts";
import { runSubject } from "../../src/runner/run_subject.ts";
import { createWorkerIo, WORKER_IO } from "../../src/runner/worker_io.ts";
import { createBufferPool } from "../../src/runner/buffer_pool.ts";
import { writeNiftiSync } from "../../src/nifti/nifti_write.ts";
import { createVoxelArray, setVoxelAllocator } from "../../src/volume/dtype.ts";
import { makeVolume } from "../_volumes.ts";

const RECIPE = `version: 1
name: reuse
seed: 3
steps:
  - step: load
    labels: [label]
  - step: resample-to-size
    size: [80, 72, 56] # float32 results above the pooled size (1 MiB)
    interpolation: bspline
  - step: clip
    percentiles: [1, 99]
  - step: augment
    copies: 3
    transforms:
      - flip: { axes: [0], p: 0.5 }
      - affine: { rotate: [-10, 10] }
      - noise: { std: [0, 5] }
  - step: normalize
    method: zscore
  - step: save
    name: "{id}_{role}_{copy}.nii.gz"
`;

/** Subjects of different sizes (pool buffers of several sizes, some reused for others). */
function writeSubjects(dir: string): { id: string; row: number; paths: Record<string, string> }[] {
  const jobs = [];
  for (const [k, shape] of [[0, [60, 50, 40]], [1, [64, 64, 44]], [2, [60, 50, 40]]] as const) {
    const id = `s${k}`;
    const image = makeVolume({
      shape: [...shape],
      dtype: "int16",
      fn: (i, j, z) => Math.round(500 * Math.sin(i * 0.2 + k) * Math.cos(j * 0.15 - z * 0.1)),
    });
    const label = makeVolume({
      shape: [...shape],
      dtype: "uint8",
      fn: (i, j, z) => ((i - 30) ** 2 + (j - 25) ** 2 + (z - 20) ** 2 < 150 ? 1 + k : 0),
    });
    writeNiftiSync(`${dir}/${id}.nii`, image);
    writeNiftiSync(`${dir}/${id}_seg.nii`, label);
    jobs.push({
      id,
      row: k + 2,
      paths: { image: `${dir}/${id}.nii`, label: `${dir}/${id}_seg.nii` },
    });
  }
  return jobs;
}

Deno.test("pooled step outputs: every output byte equals a run on fresh memory", () => {
  const dir = Deno.makeTempDirSync({ prefix: "medprep-reuse-" });
  try {
    const jobs = writeSubjects(dir);
    const { recipe } = validateRecipePlan(RECIPE, "recipe.yaml");
    const plan = bindRecipe(recipe);
    const run = (name: string, pooled: boolean) => {
      const out = `${dir}/${name}`;
      Deno.mkdirSync(out);
      const pool = createBufferPool(1024 ** 3);
      const io = pooled ? createWorkerIo(pool) : WORKER_IO;
      if (pooled) setVoxelAllocator((bytes) => pool.acquire(bytes));
      const files = new Map<string, Uint8Array>();
      let reused = 0;
      try {
        for (const job of jobs) {
          const before = pool.heldBytes();
          const rec = runSubject(job, { recipe, outDir: out, maxInputBytes: 1e9 }, { io, plan });
          assert.equal(rec.status, "done", JSON.stringify(rec.error));
          for (const o of rec.outputs) files.set(o.path, Deno.readFileSync(`${out}/${o.path}`));
          pool.releaseAll();
          if (pooled && pool.heldBytes() === before) reused++;
        }
      } finally {
        setVoxelAllocator(undefined);
      }
      return { files, reused, held: pool.heldBytes() };
    };
    const fresh = run("fresh", false), pooled = run("pooled", true);
    assert.equal(fresh.files.size, 18);
    assert.deepEqual([...pooled.files.keys()], [...fresh.files.keys()]);
    for (const [path, bytes] of fresh.files) assert.deepEqual(pooled.files.get(path), bytes, path);
    // The pool was used (the third subject has the first one's sizes: nothing new needed).
    assert.ok(pooled.held > 0);
    assert.ok(pooled.reused >= 1, `subjects served from the pool alone: ${pooled.reused}`);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("createVoxelArray from the allocator: zeroed even when the buffer was used", () => {
  const buffer = new ArrayBuffer(3 << 20);
  new Uint8Array(buffer).fill(0xab);
  setVoxelAllocator(() => buffer);
  try {
    const a = createVoxelArray("float32", (2 << 20) / 4);
    assert.equal(a.buffer, buffer);
    assert.equal(a.length, (2 << 20) / 4);
    assert.ok(a.every((v) => v === 0));
    const big = createVoxelArray("int64", (1 << 20) / 8) as BigInt64Array;
    assert.ok(big.every((v) => v === 0n));
    // Small arrays are fresh allocations, never the pool's.
    assert.notEqual(createVoxelArray("uint8", 1000).buffer, buffer);
  } finally {
    setVoxelAllocator(undefined);
  }
  assert.notEqual(createVoxelArray("float32", (2 << 20) / 4).buffer, buffer);
});
