import assert from "node:assert/strict";
import { runBatch } from "../../src/runner/batch.ts";
import { writeNiftiSync } from "../../src/nifti/nifti_write.ts";
import { sha256FileSync } from "../../src/nifti/hash.ts";
import { makeVolume } from "../_volumes.ts";

const RECIPE = `version: 1
name: pair
steps:
  - step: load
  - step: resample-to-spacing
    spacing: [2, 2, 2]
  - step: save
`;
const quiet = { quiet: true, command: ["test"] };

/** Writes `stem`.hdr + `stem`.img (NIfTI-1 pair, magic "ni1") from a 5×6×7 oblique volume. */
function writePair(stem: string, offset: number) {
  const nii = `${stem}.tmp.nii`;
  writeNiftiSync(
    nii,
    makeVolume({ shape: [5, 6, 7], dtype: "int16", fn: (i, j, k) => i + j * k + offset }),
  );
  const bytes = Deno.readFileSync(nii);
  Deno.removeSync(nii);
  const header = bytes.slice(0, 348);
  const view = new DataView(header.buffer);
  view.setFloat32(108, 0, true); // vox_offset 0 in the .img
  header.set([0x6e, 0x69, 0x31, 0], 344); // "ni1\0"
  Deno.writeFileSync(`${stem}.hdr`, header);
  Deno.writeFileSync(`${stem}.img`, bytes.slice(352));
}

Deno.test("runBatch reads .hdr/.img pairs in workers and --resume rebuilds when the .img changes", async () => {
  const dir = await Deno.makeTempDir({ prefix: "medprep-pair-" });
  try {
    await Deno.mkdir(`${dir}/in`);
    writePair(`${dir}/in/a`, 0);
    writePair(`${dir}/in/b`, 3);
    await Deno.writeTextFile(`${dir}/m.csv`, "id,image\na,in/a.hdr\nb,in/b.img\n");
    await Deno.writeTextFile(`${dir}/r.yaml`, RECIPE);
    const out = `${dir}/out`;
    const opts = { ...quiet, recipe: `${dir}/r.yaml`, manifest: `${dir}/m.csv`, out, workers: 1 };
    assert.equal(await runBatch(opts), 0);
    const prov = JSON.parse(await Deno.readTextFile(`${out}/provenance.json`));
    const [a, b] = prov.subjects;
    assert.deepEqual([a.status, b.status], ["done", "done"]);
    assert.deepEqual(a.inputs[0].pairedFile, {
      path: `${dir}/in/a.img`,
      sha256: sha256FileSync(`${dir}/in/a.img`),
    });
    assert.equal(b.inputs[0].pairedFile.path, `${dir}/in/b.hdr`);
    const before = Deno.readFileSync(`${out}/a_image.nii.gz`);
    writePair(`${dir}/in/a`, 50); // same header, other voxel values
    assert.equal(await runBatch({ ...opts, resume: true }), 0);
    assert.notDeepEqual(Deno.readFileSync(`${out}/a_image.nii.gz`), before);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
