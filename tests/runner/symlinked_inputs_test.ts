/**
 * Inputs reached through a symbolic link (a data folder linked into the project, a cluster's
 * scratch link, a linked file) are read like any other: the worker's read grant covers the path
 * as the manifest names it and the file it resolves to (Deno checks reads on the resolved path).
 */
import assert from "node:assert/strict";
import { writeNiftiSync } from "../../src/nifti/nifti_write.ts";
import { makeVolume } from "../_volumes.ts";
import { runCli } from "../cli/_run.ts";

Deno.test("run reads inputs through a linked folder and a linked file (exit 0, same bytes)", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "medprep-symlinked-" });
  try {
    Deno.mkdirSync(`${dir}/real`);
    const volume = makeVolume({
      shape: [6, 5, 4],
      dtype: "int16",
      fn: (i, j, k) => i + 10 * j - k,
    });
    writeNiftiSync(`${dir}/real/a.nii.gz`, volume);
    writeNiftiSync(`${dir}/real/b.nii.gz`, volume);
    writeNiftiSync(`${dir}/real/c.nii.gz`, volume); // read only through the linked folder
    Deno.symlinkSync(`${dir}/real`, `${dir}/linked`);
    Deno.symlinkSync(`${dir}/real/b.nii.gz`, `${dir}/b_link.nii.gz`);
    Deno.writeTextFileSync(
      `${dir}/m.csv`,
      "id,image\ndirect,real/a.nii.gz\nviafolder,linked/c.nii.gz\nviafile,b_link.nii.gz\n",
    );
    Deno.writeTextFileSync(
      `${dir}/r.yaml`,
      "version: 1\nname: s\nsteps:\n  - step: load\n  - step: save\n    name: '{id}_{role}.nii.gz'\n",
    );
    const r = await runCli([
      "run",
      `${dir}/r.yaml`,
      "--manifest",
      `${dir}/m.csv`,
      "--out",
      `${dir}/out`,
      "--quiet",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const direct = Deno.readFileSync(`${dir}/out/direct_image.nii.gz`);
    assert.deepEqual(Deno.readFileSync(`${dir}/out/viafolder_image.nii.gz`), direct);
    assert.deepEqual(Deno.readFileSync(`${dir}/out/viafile_image.nii.gz`), direct);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
