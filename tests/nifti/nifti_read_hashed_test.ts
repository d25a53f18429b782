import assert from "node:assert/strict";
import { sha256Bytes } from "../../src/nifti/hash.ts";
import { readNiftiHashedSync, readNiftiSync } from "../../src/nifti/nifti_read.ts";
import { writeNiftiSync } from "../../src/nifti/nifti_write.ts";
import { gzipBytes } from "../../src/nifti/gzip_writer.ts";
import { makeVolume } from "../_volumes.ts";

/** Writes `stem`.hdr + `stem`.img (NIfTI-1 pair, vox_offset 0) of a 5×6×7 int16 volume. */
function writePair(stem: string, offset: number, gzipImage = false) {
  const nii = `${stem}.tmp.nii`;
  writeNiftiSync(nii, makeVolume({ fn: (i, j, k) => i + j * k + offset }));
  const bytes = Deno.readFileSync(nii);
  Deno.removeSync(nii);
  const header = bytes.slice(0, 348);
  new DataView(header.buffer).setFloat32(108, 0, true);
  header.set([0x6e, 0x69, 0x31, 0], 344); // "ni1\0"
  Deno.writeFileSync(`${stem}.hdr`, header);
  const img = bytes.slice(352);
  Deno.writeFileSync(
    gzipImage ? `${stem}.img.gz` : `${stem}.img`,
    gzipImage ? gzipBytes(img) : img,
  );
}

Deno.test("readNiftiHashedSync digests every byte of the file it decodes (.nii.gz, trailing bytes)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const gz = `${dir}/a.nii.gz`;
    writeNiftiSync(gz, makeVolume({ shape: [9, 8, 7] }));
    await Deno.chmod(gz, 0o640);
    const { image, files } = readNiftiHashedSync(gz);
    const bytes = Deno.readFileSync(gz);
    assert.deepEqual(files, [{
      path: gz,
      sha256: sha256Bytes(bytes),
      size: bytes.length,
      mode: 0o640,
    }]);
    assert.deepEqual(image.volume.data, readNiftiSync(gz).volume.data);
    // Bytes after the voxels are not decoded but are part of the file's hash.
    const plain = `${dir}/b.nii`;
    writeNiftiSync(plain, makeVolume());
    const padded = new Uint8Array([...Deno.readFileSync(plain), 1, 2, 3]);
    Deno.writeFileSync(plain, padded);
    const b = readNiftiHashedSync(plain);
    assert.equal(b.files[0].sha256, sha256Bytes(padded));
    assert.equal(b.files[0].size, padded.length);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readNiftiHashedSync reads the given other half of a pair and digests both", async () => {
  const dir = await Deno.makeTempDir();
  try {
    writePair(`${dir}/a`, 0);
    writePair(`${dir}/a`, 100, true); // a.img.gz holds other voxels than a.img
    const viaGz = readNiftiHashedSync(`${dir}/a.hdr`, { pairedWith: `${dir}/a.img.gz` });
    assert.equal(viaGz.image.volume.data[0], 100);
    assert.deepEqual(viaGz.files.map((f) => [f.path, f.sha256]), [
      [`${dir}/a.hdr`, sha256Bytes(Deno.readFileSync(`${dir}/a.hdr`))],
      [`${dir}/a.img.gz`, sha256Bytes(Deno.readFileSync(`${dir}/a.img.gz`))],
    ]);
    // From the image half, the header is the given one; without pairedWith: resolved.
    const fromImg = readNiftiHashedSync(`${dir}/a.img`, { pairedWith: `${dir}/a.hdr` });
    assert.equal(fromImg.image.volume.data[0], 0);
    assert.deepEqual(fromImg.files.map((f) => f.path), [`${dir}/a.hdr`, `${dir}/a.img`]);
    assert.equal(readNiftiHashedSync(`${dir}/a.hdr`).image.volume.data[0], 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
