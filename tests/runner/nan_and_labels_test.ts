/**
 * Whole runs with NaN voxels (SPEC §3, `load: { nan }`) and label roles whose values do not
 * look like labels (issue #11.5c, #11.9): never silently wrong.
 */
import assert from "node:assert/strict";
import { runBatch } from "../../src/runner/batch.ts";
import { readNiftiSync } from "../../src/nifti/nifti_read.ts";
import { writeNiftiSync } from "../../src/nifti/nifti_write.ts";
import { makeVolume } from "../_volumes.ts";

interface Run {
  code: number;
  dir: string;
  provenance: {
    subjects: {
      status: string;
      warnings: string[];
      error?: { message: string };
      inputs: { role: string; nanReplaced?: number }[];
    }[];
  };
}

/** Runs `steps` on one subject (image: float32 with 2 NaN voxels; seg: a float32 "label"). */
async function run(steps: string, seg?: (i: number, j: number, k: number) => number): Promise<Run> {
  const dir = await Deno.makeTempDir({ prefix: "medprep-nan-" });
  const nan = (i: number, j: number, k: number) => i === 4 && j === 3 && (k === 2 || k === 5);
  writeNiftiSync(
    `${dir}/img.nii.gz`,
    makeVolume({
      shape: [9, 8, 7],
      dtype: "float32",
      fn: (i, j, k) => (nan(i, j, k) ? NaN : 100 + i + 2 * j + 3 * k),
    }),
  );
  let manifest = "id,image\ns1,img.nii.gz\n";
  if (seg) {
    writeNiftiSync(
      `${dir}/seg.nii.gz`,
      makeVolume({ shape: [9, 8, 7], dtype: "float32", fn: seg }),
    );
    manifest = "id,image,seg\ns1,img.nii.gz,seg.nii.gz\n";
  }
  await Deno.writeTextFile(`${dir}/manifest.csv`, manifest);
  await Deno.writeTextFile(`${dir}/recipe.yaml`, `version: 1\nname: n\nsteps:\n${steps}`);
  const code = await runBatch({
    recipe: `${dir}/recipe.yaml`,
    manifest: `${dir}/manifest.csv`,
    out: `${dir}/out`,
    workers: 1,
    quiet: true,
    command: ["test"],
  });
  const provenance = JSON.parse(await Deno.readTextFile(`${dir}/out/provenance.json`));
  return { code, dir, provenance };
}

const BSPLINE = `  - step: resample-to-size
    size: [11, 9, 5]
    interpolation: bspline
  - step: save
`;

Deno.test("run: B-spline of an image with 2 NaN voxels warns with the count (nan: keep)", async () => {
  const r = await run(`  - step: load\n${BSPLINE}`);
  try {
    assert.equal(r.code, 0);
    const out = readNiftiSync(`${r.dir}/out/s1_image.nii.gz`).volume.data as Float32Array;
    assert.ok(out.filter(Number.isNaN).length > out.length / 2, "NaN spread (test premise)");
    const w = r.provenance.subjects[0].warnings;
    assert.equal(w.length, 1, w.join("\n"));
    assert.match(w[0], /role "image" has 2 NaN voxels; the B-spline prefilter spreads NaN/);
  } finally {
    await Deno.remove(r.dir, { recursive: true });
  }
});

Deno.test("run: load nan: zero replaces NaN by 0 and records the count", async () => {
  const r = await run(`  - step: load\n    nan: zero\n${BSPLINE}`);
  try {
    assert.equal(r.code, 0);
    const out = readNiftiSync(`${r.dir}/out/s1_image.nii.gz`).volume.data as Float32Array;
    assert.equal(out.filter(Number.isNaN).length, 0);
    const s = r.provenance.subjects[0];
    assert.deepEqual(s.warnings, []);
    assert.equal(s.inputs.find((i) => i.role === "image")?.nanReplaced, 2);
  } finally {
    await Deno.remove(r.dir, { recursive: true });
  }
});

Deno.test("run: load nan: error fails the subject (exit 1) naming the count", async () => {
  const r = await run(`  - step: load\n    nan: error\n${BSPLINE}`);
  try {
    assert.equal(r.code, 1);
    const s = r.provenance.subjects[0];
    assert.equal(s.status, "failed");
    assert.match(s.error!.message, /role "image" from ".*img.nii.gz": it has 2 NaN voxels/);
  } finally {
    await Deno.remove(r.dir, { recursive: true });
  }
});

Deno.test("run: a label role with fractional and NaN values is warned about by name and count", async () => {
  // A probability map given as a label role: 0.25 steps, and 2 NaN voxels.
  const seg = (i: number, j: number, k: number) =>
    i === 0 && j === 0 && k < 2 ? NaN : ((i + j + k) % 5) * 0.25;
  const r = await run(`  - step: load\n    labels: [seg]\n    nan: keep\n  - step: save\n`, seg);
  try {
    assert.equal(r.code, 0);
    const w = r.provenance.subjects[0].warnings.join("\n");
    // (i + j + k) % 5 ∈ {1, 2, 3}: 0.25, 0.5, 0.75 are not integers.
    let fractional = 0;
    for (let k = 0; k < 7; k++) {
      for (let j = 0; j < 8; j++) {
        for (let i = 0; i < 9; i++) {
          if (!(i === 0 && j === 0 && k < 2) && [1, 2, 3].includes((i + j + k) % 5)) fractional++;
        }
      }
    }
    assert.match(
      w,
      new RegExp(
        `label role "seg" has ${fractional} non-integer values \\(is it really a label map\\?\\)`,
      ),
    );
    assert.match(w, /label role "seg" has 2 NaN voxels \(written as 0\)/);
    assert.doesNotMatch(w, /clamped into the range/);
  } finally {
    await Deno.remove(r.dir, { recursive: true });
  }
});
