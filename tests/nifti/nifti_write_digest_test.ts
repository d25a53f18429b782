import assert from "node:assert/strict";
import { sha256Bytes } from "../../src/nifti/hash.ts";
import { writeNifti, writeNiftiSync } from "../../src/nifti/nifti_write.ts";
import { makeVolume } from "../_volumes.ts";

Deno.test("writeNiftiSync returns the sha256 and size of the bytes written, created with mode", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (const name of ["a.nii", "a.nii.gz"]) {
      const path = `${dir}/${name}`;
      const written = writeNiftiSync(path, makeVolume({ shape: [9, 8, 7] }), { mode: 0o600 });
      const bytes = await Deno.readFile(path);
      assert.deepEqual(written, { sha256: sha256Bytes(bytes), size: bytes.length });
      assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
    }
    const path = `${dir}/b.nii.gz`;
    const written = await writeNifti(path, makeVolume(), { level: 1 });
    assert.equal(written.sha256, sha256Bytes(await Deno.readFile(path)));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
