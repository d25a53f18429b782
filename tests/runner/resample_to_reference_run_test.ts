/**
 * resample-to-reference through a whole run: roles on different grids pass the one-grid check
 * once the recipe puts them onto one grid (SPEC §7); a `reference` file relative to the recipe is
 * granted to the workers, read there and its sha256 recorded; a grid-only manifest column
 * (`dropOnto: true`) is neither saved nor planned as an output.
 */
import assert from "node:assert/strict";
import { sha256File } from "../../src/nifti/hash.ts";
import { readNiftiSync } from "../../src/nifti/nifti_read.ts";
import { writeNiftiSync } from "../../src/nifti/nifti_write.ts";
import { runBatch } from "../../src/runner/batch.ts";
import type { Affine } from "../../src/volume/affine.ts";
import { makeVolume, obliqueAffine } from "../_volumes.ts";

/** The affine moved by whole voxels (di, dj, dk) along its own axes. */
const moved = (a: Affine, d: readonly number[]): number[][] =>
  a.map((row, r) =>
    r < 3
      ? row.map((v, c) => (c === 3 ? v + row[0] * d[0] + row[1] * d[1] + row[2] * d[2] : v))
      : [...row]
  );

async function run(dir: string, recipe: string, manifest: string, resume = false) {
  await Deno.writeTextFile(`${dir}/recipes/r.yaml`, recipe);
  await Deno.writeTextFile(`${dir}/m.csv`, manifest);
  const code = await runBatch({
    recipe: `${dir}/recipes/r.yaml`,
    manifest: `${dir}/m.csv`,
    out: `${dir}/out`,
    workers: 1,
    quiet: true,
    force: !resume,
    resume,
    command: ["test"],
  });
  const prov = JSON.parse(await Deno.readTextFile(`${dir}/out/provenance.json`));
  return { code, prov };
}

Deno.test("run with resample-to-reference: a label on another grid is put onto the image grid; a reference file is granted, read and hashed; dropOnto columns are not saved", async () => {
  const dir = await Deno.makeTempDir({ prefix: "medprep-r2r-" });
  try {
    await Deno.mkdir(`${dir}/recipes`);
    const affine = obliqueAffine();
    const image = makeVolume({ shape: [6, 5, 4], affine, fn: (i, j, k) => i + 10 * j + 100 * k });
    // label: 8×7×6 starting one voxel before the image on every axis
    const label = makeVolume({
      shape: [8, 7, 6],
      affine: moved(affine, [-1, -1, -1]),
      dtype: "uint8",
      fn: (i, j, k) => (i + j + k) % 4,
    });
    const grid = makeVolume({ shape: [3, 3, 3], affine: moved(affine, [2, 1, 1]), dtype: "uint8" });
    writeNiftiSync(`${dir}/img.nii.gz`, image, { level: 1 });
    writeNiftiSync(`${dir}/lab.nii.gz`, label, { level: 1 });
    writeNiftiSync(`${dir}/grid.nii.gz`, grid, { level: 1 });

    // Without the step: the one-grid check fails the subject and points to the step.
    const plain = await run(
      dir,
      "version: 1\nsteps:\n  - step: load\n    labels: [label]\n  - step: save\n",
      "id,image,label\ns1,img.nii.gz,lab.nii.gz\n",
    );
    assert.equal(plain.code, 1);
    assert.match(plain.prov.subjects[0].error.message, /resample-to-reference/);

    // onto: image — the label comes out on the image grid, voxel (i,j,k) = label (i+1,j+1,k+1).
    const onto = await run(
      dir,
      "version: 1\nsteps:\n  - step: load\n    labels: [label]\n  - step: resample-to-reference\n    onto: image\n    interpolation: bspline\n  - step: save\n",
      "id,image,label\ns1,img.nii.gz,lab.nii.gz\n",
    );
    assert.equal(onto.code, 0, JSON.stringify(onto.prov.subjects[0].error));
    const lab = readNiftiSync(`${dir}/out/s1_label.nii.gz`).volume;
    assert.deepEqual([...lab.shape], [6, 5, 4]);
    assert.equal(lab.dtype, "uint8");
    let n = 0;
    for (let k = 0; k < 4; k++) {
      for (let j = 0; j < 5; j++) {
        for (let i = 0; i < 6; i++) assert.equal(lab.data[n++], (i + j + k + 3) % 4);
      }
    }
    const img = readNiftiSync(`${dir}/out/s1_image.nii.gz`).volume;
    assert.deepEqual([...img.data], [...image.data]);

    // reference: a file relative to the recipe; the worker may read it only through the grant.
    const ref = await run(
      dir,
      "version: 1\nsteps:\n  - step: load\n    labels: [label]\n  - step: resample-to-reference\n    reference: ../grid.nii.gz\n  - step: save\n",
      "id,image,label\ns1,img.nii.gz,lab.nii.gz\n",
    );
    assert.equal(ref.code, 0, JSON.stringify(ref.prov.subjects[0].error));
    const step = ref.prov.subjects[0].steps[0];
    assert.equal(step.name, "resample-to-reference");
    assert.equal(step.params.reference, `${dir}/grid.nii.gz`);
    assert.equal(step.record.reference.sha256, await sha256File(`${dir}/grid.nii.gz`));
    assert.deepEqual(step.record.reference.shape, [3, 3, 3]);
    assert.deepEqual(ref.prov.subjects[0].files, [{
      path: `${dir}/grid.nii.gz`,
      sha256: step.record.reference.sha256,
    }]);
    const onGrid = readNiftiSync(`${dir}/out/s1_image.nii.gz`).volume;
    assert.deepEqual([...onGrid.shape], [3, 3, 3]);
    // grid voxel (i,j,k) is image voxel (i+2, j+1, k+1); linear on whole voxels is exact
    assert.equal(onGrid.data[0], 2 + 10 + 100);
    assert.equal(onGrid.data[26], 4 + 30 + 300);

    // --resume keeps the subject while the reference is unchanged, rebuilds it once it changes
    const refRecipe =
      "version: 1\nsteps:\n  - step: load\n    labels: [label]\n  - step: resample-to-reference\n    reference: ../grid.nii.gz\n  - step: save\n";
    const kept = await run(dir, refRecipe, "id,image,label\ns1,img.nii.gz,lab.nii.gz\n", true);
    assert.equal(kept.code, 0);
    writeNiftiSync(`${dir}/grid.nii.gz`, { ...grid, shape: [2, 2, 2], data: new Uint8Array(8) }, {
      level: 1,
    });
    const rebuilt = await run(dir, refRecipe, "id,image,label\ns1,img.nii.gz,lab.nii.gz\n", true);
    assert.equal(rebuilt.code, 0);
    assert.deepEqual(readNiftiSync(`${dir}/out/s1_image.nii.gz`).volume.shape, [2, 2, 2]);

    // a manifest column used only as a grid
    const drop = await run(
      dir,
      "version: 1\nsteps:\n  - step: load\n    labels: [label]\n  - step: resample-to-reference\n    onto: tmpl\n    dropOnto: true\n  - step: save\n",
      "id,image,label,tmpl\ns1,img.nii.gz,lab.nii.gz,grid.nii.gz\n",
    );
    assert.equal(drop.code, 0, JSON.stringify(drop.prov.subjects[0].error));
    const names = drop.prov.subjects[0].outputs.map((o: { path: string }) => o.path).sort();
    assert.deepEqual(names, ["s1_image.nii.gz", "s1_label.nii.gz"]);
    const files = [...Deno.readDirSync(`${dir}/out`)].map((e) => e.name);
    assert.ok(!files.includes("s1_tmpl.nii.gz"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
