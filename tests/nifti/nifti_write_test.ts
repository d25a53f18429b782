import assert from "node:assert/strict";
import { decodeNifti, readNiftiSync } from "../../src/nifti/nifti_read.ts";
import { parseNiftiHeader } from "../../src/nifti/nifti_header.ts";
import { encodeNifti, writeNifti, writeNiftiSync } from "../../src/nifti/nifti_write.ts";
import { DTYPES } from "../../src/volume/dtype.ts";
import { createVolume } from "../../src/volume/volume.ts";
import { VERSION } from "../../src/version.ts";
import { makeVolume, obliqueAffine } from "../_volumes.ts";
import { tempDir } from "./_nifti.ts";

const close = (a: number, b: number, tol = 1e-6) => Math.abs(a - b) <= tol;

Deno.test("encodeNifti writes a NIfTI-1 little-endian single file with vox_offset 352", () => {
  const vol = makeVolume({ frames: 3, slope: 2, inter: -1 });
  const bytes = encodeNifti(vol);
  assert.equal(bytes.length, 352 + 5 * 6 * 7 * 3 * 2);
  const h = parseNiftiHeader("x.nii", bytes);
  assert.equal(h.littleEndian, true);
  assert.equal(h.magic, "n+1");
  assert.equal(h.voxOffset, 352);
  assert.deepEqual([...bytes.subarray(348, 352)], [0, 0, 0, 0]);
  assert.deepEqual(h.dim, [4, 5, 6, 7, 3, 1, 1, 1]);
  assert.equal(h.datatype, 4);
  assert.equal(h.bitpix, 16);
  assert.deepEqual([h.sclSlope, h.sclInter], [2, -1]);
  assert.equal(h.descrip, `medprep ${VERSION}`);
  const norms = [0.9, 1.1, 2.5];
  norms.forEach((n, i) => assert.ok(close(h.pixdim[i + 1], n), `pixdim[${i + 1}]`));
});

Deno.test("encodeNifti keeps codes, units, intent and cal; fills missing codes with 2 and units with mm", () => {
  const base = makeVolume();
  const vol = {
    ...base,
    meta: {
      ...base.meta,
      qformCode: 0,
      sformCode: 4,
      xyztUnits: 8,
      intentCode: 5,
      intentName: "t",
      intentP: [3, 0, 0] as [number, number, number],
      calMin: 1,
      calMax: 9,
    },
  };
  const h = parseNiftiHeader("x.nii", encodeNifti(vol));
  assert.deepEqual([h.qformCode, h.sformCode], [2, 4]);
  assert.equal(h.xyztUnits, 8 | 2); // seconds kept, mm added
  assert.deepEqual([h.intentCode, h.intentName, h.intentP[0], h.calMin, h.calMax], [
    5,
    "t",
    3,
    1,
    9,
  ]);
  const unscaled = parseNiftiHeader("x.nii", encodeNifti(makeVolume()));
  assert.deepEqual([unscaled.sclSlope, unscaled.sclInter], [1, 0]);
  assert.equal(
    parseNiftiHeader("x.nii", encodeNifti({ ...base, meta: { ...base.meta, xyztUnits: 3 } }))
      .xyztUnits,
    3,
  );
});

Deno.test("encodeNifti derives the qform like nibabel's set_qform (hand-computed cases)", () => {
  const mk = (affine: number[][]) => parseNiftiHeader("x.nii", encodeNifti(makeVolume({ affine })));
  // 90° about z, spacing 2,3,4: q = (cos 45°, 0, 0, sin 45°), qfac 1.
  const rz = mk([[0, -3, 0, 1], [2, 0, 0, 2], [0, 0, 4, 3], [0, 0, 0, 1]]);
  assert.equal(rz.pixdim[0], 1);
  assert.ok(
    close(rz.quatern[0], 0) && close(rz.quatern[1], 0) && close(rz.quatern[2], Math.SQRT1_2),
  );
  assert.deepEqual(rz.pixdim.slice(1, 4), [2, 3, 4]);
  assert.deepEqual(rz.qoffset, [1, 2, 3]);
  // LAS diag(-2, 3, 4): det < 0 → qfac −1, R = diag(−1, 1, −1) = 180° about y → (0, 0, 1, 0).
  const las = mk([[-2, 0, 0, 0], [0, 3, 0, 0], [0, 0, 4, 0], [0, 0, 0, 1]]);
  assert.equal(las.pixdim[0], -1);
  assert.ok(close(las.quatern[0], 0) && close(las.quatern[1], 1) && close(las.quatern[2], 0));
});

Deno.test("encodeNifti writes a sheared affine to the sform only: qform_code 0 (SPEC §2)", () => {
  const sheared = [[1, 0.3, 0, -5], [0, 1, 0, 4], [0, 0, 2, 7], [0, 0, 0, 1]];
  const vol = makeVolume({ affine: sheared });
  const bytes = encodeNifti(vol);
  const img = decodeNifti("x.nii", bytes);
  assert.equal(img.info.affineSource, "sform");
  assert.deepEqual(img.volume.affine, sheared.map((r) => r.map(Math.fround)));
  const h = parseNiftiHeader("x.nii", bytes);
  // The input's codes are 1/1; a rigid qform would misplace the far corner by centimetres.
  assert.deepEqual([h.qformCode, h.sformCode], [0, 1]);
  assert.ok(close(h.pixdim[2], Math.hypot(0.3, 1)));
  // Rigid affines (oblique, float32-rounded) keep the qform with the input's code.
  const rigid = makeVolume({ affine: obliqueAffine().map((r) => r.map(Math.fround)) });
  assert.equal(parseNiftiHeader("x.nii", encodeNifti(rigid)).qformCode, 1);
});

Deno.test("encodeNifti qform alone reproduces an oblique rigid affine", () => {
  const aff = obliqueAffine();
  const bytes = encodeNifti(makeVolume({ affine: aff }));
  bytes[254] = 0; // sform_code 0 (little-endian int16 at 254)
  bytes[255] = 0;
  const img = decodeNifti("x.nii", bytes);
  assert.equal(img.info.affineSource, "qform");
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 4; c++) {
      assert.ok(close(img.volume.affine[r][c], aff[r][c], 1e-5), `[${r}][${c}]`);
    }
  }
});

for (const dtype of DTYPES) {
  Deno.test(`encodeNifti → decodeNifti round-trips ${dtype} data, scaling and affine`, () => {
    const vol = makeVolume({
      dtype,
      frames: 2,
      fn: (i, j, k, t) => (i * 7 + j * 3 - k + t * 50) % 120,
      slope: 1.5,
      inter: 2,
    });
    const back = decodeNifti("x.nii", encodeNifti(vol)).volume;
    assert.equal(back.dtype, dtype);
    assert.deepEqual(
      Array.from(back.data as ArrayLike<unknown>),
      Array.from(vol.data as ArrayLike<unknown>),
    );
    assert.deepEqual([back.slope, back.inter, back.frames], [1.5, 2, 2]);
    assert.deepEqual(back.affine, vol.affine.map((r) => r.map(Math.fround)));
  });
}

Deno.test("writeNifti output is byte-identical across writes (.nii and .nii.gz, mtime 0, no name)", async () => {
  const dir = tempDir();
  try {
    const vol = makeVolume({
      shape: [31, 17, 9],
      dtype: "float32",
      fn: (i, j, k) => Math.sin(i * j + k),
    });
    for (const ext of ["nii", "nii.gz"]) {
      await writeNifti(`${dir}/a.${ext}`, vol);
      await new Promise((r) => setTimeout(r, 1100)); // a different second for any timestamp
      writeNiftiSync(`${dir}/b.${ext}`, vol);
      const a = Deno.readFileSync(`${dir}/a.${ext}`), b = Deno.readFileSync(`${dir}/b.${ext}`);
      assert.deepEqual(a, b);
      if (ext === "nii.gz") {
        assert.deepEqual([...a.subarray(0, 4)], [0x1f, 0x8b, 8, 0]); // no FNAME flag
        assert.deepEqual([...a.subarray(4, 8)], [0, 0, 0, 0]); // mtime 0
      } else assert.deepEqual(a, encodeNifti(vol));
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("writeNifti gzip level changes the compressed size, not the content", async () => {
  const dir = tempDir();
  try {
    const vol = makeVolume({ shape: [40, 40, 20], fn: (i, j, k) => (i * j + k * 3) % 50 });
    await writeNifti(`${dir}/l1.nii.gz`, vol, { level: 1 });
    await writeNifti(`${dir}/l9.nii.gz`, vol, { level: 9 });
    await writeNifti(`${dir}/l0.nii.gz`, vol, { level: 0 });
    const size = (n: string) => Deno.statSync(`${dir}/${n}`).size;
    assert.ok(size("l9.nii.gz") < size("l1.nii.gz"));
    assert.ok(size("l0.nii.gz") > 352 + 40 * 40 * 20 * 2);
    for (const n of ["l0", "l1", "l9"]) {
      assert.deepEqual(readNiftiSync(`${dir}/${n}.nii.gz`).volume.data, vol.data);
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("writeNifti is atomic: replaces the target in one step and leaves no temp file on failure", async () => {
  const dir = tempDir();
  try {
    const p = `${dir}/out.nii.gz`;
    Deno.writeTextFileSync(p, "old");
    await writeNifti(p, makeVolume());
    assert.equal(readNiftiSync(p).volume.dtype, "int16");
    await assert.rejects(
      writeNifti(`${dir}/x.nii.gz`, makeVolume(), { level: 42 }),
      /Cannot write ".*x\.nii\.gz"/,
    );
    assert.throws(
      () => writeNiftiSync(`${dir}/missing/y.nii`, makeVolume()),
      /Cannot write ".*y\.nii"/,
    );
    const names = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    assert.deepEqual(names, ["out.nii.gz"]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("writeNifti writes 64-bit integers from BigInt arrays", () => {
  const data = new BigInt64Array([-(2n ** 62n), 0n, 2n ** 62n, 5n, -5n, 7n]);
  const vol = createVolume({ shape: [3, 2, 1], data, affine: obliqueAffine() });
  const back = decodeNifti("x.nii", encodeNifti(vol)).volume;
  assert.deepEqual(back.data, data);
});

Deno.test("encodeNifti refuses dimensions NIfTI-1 cannot store and non-finite affines", () => {
  const wide = createVolume({
    shape: [40000, 1, 1],
    data: new Uint8Array(40000),
    affine: obliqueAffine(),
  });
  assert.throws(() => encodeNifti(wide), /dimension 40000 exceeds NIfTI-1's limit of 32767/);
  const nan = makeVolume({ affine: [[NaN, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]] });
  assert.throws(() => encodeNifti(nan), /affine has non-finite entries/);
});
