import assert from "node:assert/strict";
import { NiftiError } from "../../src/errors.ts";
import {
  decodeNifti,
  readNifti,
  readNiftiHeader,
  readNiftiInWorker,
  readNiftiSync,
} from "../../src/nifti/nifti_read.ts";
import { gzipBytes } from "../../src/nifti/gzip_writer.ts";
import { writeNifti, writeNiftiSync } from "../../src/nifti/nifti_write.ts";
import { setImmediate } from "node:timers";
import { DTYPES } from "../../src/volume/dtype.ts";
import type { Volume } from "../../src/volume/volume.ts";
import { makeVolume, obliqueAffine } from "../_volumes.ts";
import { niftiBytes, tempDir } from "./_nifti.ts";

const f32Affine = (v: Volume) => v.affine.map((row) => row.map(Math.fround));

function assertSameVoxels(actual: Volume, expected: Volume): void {
  assert.equal(actual.dtype, expected.dtype);
  assert.deepEqual(actual.shape, expected.shape);
  assert.equal(actual.frames, expected.frames);
  assert.deepEqual(
    Array.from(actual.data as ArrayLike<unknown>),
    Array.from(expected.data as ArrayLike<unknown>),
  );
}

/** Values that exercise the type's range (negative where signed, large magnitudes). */
function rampFor(dtype: string) {
  return (i: number, j: number, k: number, t: number) => {
    const v = i + 5 * j + 30 * k + 210 * t;
    if (dtype === "uint8") return v % 256;
    if (dtype === "int8") return (v % 256) - 128;
    if (dtype.startsWith("float")) return (v - 100) * 0.37;
    if (dtype.startsWith("u")) return v * 97;
    return (v - 100) * 89;
  };
}

for (const dtype of DTYPES) {
  for (const bigEndian of [false, true]) {
    Deno.test(`decodeNifti reads ${dtype} ${bigEndian ? "big" : "little"}-endian voxels unchanged`, () => {
      const vol = makeVolume({ dtype, frames: 2, fn: rampFor(dtype), slope: 0.5, inter: -3 });
      const { hdr } = niftiBytes(vol, { bigEndian });
      const img = decodeNifti("x.nii", hdr);
      assertSameVoxels(img.volume, vol);
      assert.equal(img.info.endianness, bigEndian ? "big" : "little");
      assert.equal(img.info.dtypeName, dtype);
      assert.equal(img.volume.slope, 0.5);
      assert.equal(img.volume.inter, -3);
      assert.deepEqual(img.volume.affine, f32Affine(vol));
    });
  }
}

Deno.test("decodeNifti reads NIfTI-2 (both byte orders) with float64 geometry", () => {
  for (const bigEndian of [false, true]) {
    const vol = makeVolume({ dtype: "float32", fn: (i, j, k) => i - j * k });
    const img = decodeNifti("x.nii", niftiBytes(vol, { version: 2, bigEndian }).hdr);
    assert.equal(img.info.format, "nifti2");
    assert.equal(img.info.voxOffset, 544);
    assertSameVoxels(img.volume, vol);
    assert.deepEqual(img.volume.affine, vol.affine.map((r) => [...r]));
  }
});

Deno.test("readNifti finds the other half of .hdr/.img pairs, each half optionally gzipped", async () => {
  const dir = tempDir();
  try {
    const vol = makeVolume({ dtype: "int16", shape: [7, 6, 5] });
    const { hdr, img } = niftiBytes(vol, { pair: true });
    for (const [hgz, igz] of [[false, false], [true, false], [false, true], [true, true]]) {
      const stem = `${dir}/p${Number(hgz)}${Number(igz)}`;
      const hp = `${stem}.hdr${hgz ? ".gz" : ""}`, ip = `${stem}.img${igz ? ".gz" : ""}`;
      Deno.writeFileSync(hp, hgz ? gzipBytes(hdr) : hdr);
      Deno.writeFileSync(ip, igz ? gzipBytes(img!) : img!);
      for (const p of [hp, ip]) {
        const r = await readNifti(p);
        assertSameVoxels(r.volume, vol);
        assert.equal(r.info.pair, true);
        assert.equal(r.info.gzip, hgz || igz);
        assert.equal(r.info.file, p);
      }
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("readNifti and readNiftiSync agree on a gzipped 4D file", async () => {
  const dir = tempDir();
  try {
    const vol = makeVolume({
      dtype: "uint16",
      frames: 3,
      shape: [9, 4, 3],
      fn: (i, j, k, t) => i * j + k * t * 1000,
    });
    const p = `${dir}/a.nii.gz`;
    Deno.writeFileSync(p, gzipBytes(niftiBytes(vol).hdr));
    const a = await readNifti(p), b = readNiftiSync(p);
    assertSameVoxels(a.volume, vol);
    assertSameVoxels(b.volume, vol);
    assert.equal(a.info.gzip, true);
    assert.deepEqual(a.info.fullShape, [9, 4, 3, 3]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("decodeNifti collapses trailing size-1 dims and pads 2D images", () => {
  const vol = makeVolume({ shape: [5, 6, 1], fn: (i, j) => i + j });
  const flat = decodeNifti(
    "x.nii",
    niftiBytes(vol, { mutate: (h) => (h.dim = [2, 5, 6, 1, 1, 1, 1, 1]) }).hdr,
  );
  assert.deepEqual(flat.volume.shape, [5, 6, 1]);
  assert.deepEqual(flat.info.fullShape, [5, 6]);
  const vol3 = makeVolume();
  const as4d = decodeNifti(
    "x.nii",
    niftiBytes(vol3, { mutate: (h) => (h.dim = [4, 5, 6, 7, 1, 1, 1, 1]) }).hdr,
  );
  assert.equal(as4d.volume.frames, 1);
  assert.deepEqual(as4d.info.fullShape, [5, 6, 7, 1]);
});

Deno.test("readNifti rejects >1 element beyond the 4th dim unless flattenExtraDims is set", async () => {
  const dir = tempDir();
  try {
    const vol = makeVolume({ shape: [2, 3, 4], frames: 6 });
    const p = `${dir}/five.nii`;
    Deno.writeFileSync(
      p,
      niftiBytes(vol, { mutate: (h) => (h.dim = [5, 2, 3, 4, 2, 3, 1, 1]) }).hdr,
    );
    await assert.rejects(
      readNifti(p),
      /five\.nii.*5-D image \(shape 2x3x4x2x3\).*beyond the 4th dimension/,
    );
    const head = await readNiftiHeader(p);
    assert.deepEqual(head.info.fullShape, [2, 3, 4, 2, 3]);
    assert.equal(head.frames, 2);
    const flat = readNiftiSync(p, { flattenExtraDims: true });
    assert.equal(flat.volume.frames, 6);
    assertSameVoxels(flat.volume, vol);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("decodeNifti applies nibabel's affine precedence: sform > qform > fallback", () => {
  const aff = obliqueAffine();
  const vol = makeVolume({ affine: aff });
  const sform = decodeNifti("x.nii", niftiBytes(vol, { mutate: (h) => (h.srow[0][3] = 99) }).hdr);
  assert.equal(sform.info.affineSource, "sform");
  assert.equal(sform.volume.affine[0][3], 99);
  const qform = decodeNifti("x.nii", niftiBytes(vol, { mutate: (h) => (h.sformCode = 0) }).hdr);
  assert.equal(qform.info.affineSource, "qform");
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 4; c++) assert.ok(Math.abs(qform.volume.affine[r][c] - aff[r][c]) < 1e-5);
  }
  const fb = decodeNifti(
    "x.nii",
    niftiBytes(makeVolume({ shape: [5, 6, 7] }), {
      mutate: (h) => {
        h.sformCode = 0;
        h.qformCode = 0;
        h.pixdim = [1, 0.9, -1.1, 0, 1, 1, 1, 1];
      },
    }).hdr,
  );
  assert.equal(fb.info.affineSource, "fallback");
  // diag(-|dx|, |dy|, dz→1 when 0), centre voxel at the origin (nibabel's get_base_affine).
  const p = [Math.fround(0.9), Math.fround(1.1), 1];
  assert.deepEqual(fb.volume.affine, [
    [-p[0], 0, 0, 2 * p[0]],
    [0, p[1], 0, -2.5 * p[1]],
    [0, 0, 1, -3],
    [0, 0, 0, 1],
  ]);
});

Deno.test("decodeNifti treats slope 0/NaN/Inf as unscaled and a non-finite inter as 0", () => {
  const vol = makeVolume();
  const cases: [number, number, number, number][] = [
    [0, 5, 1, 0],
    [NaN, 5, 1, 0],
    [Infinity, 5, 1, 0],
    [2, NaN, 2, 0],
    [2, -Infinity, 2, 0],
    [-0.5, 7, -0.5, 7],
  ];
  for (const [s, i, slope, inter] of cases) {
    const img = decodeNifti(
      "x.nii",
      niftiBytes(vol, { mutate: (h) => ((h.sclSlope = s), (h.sclInter = i)) }).hdr,
    );
    assert.deepEqual([img.volume.slope, img.volume.inter], [slope, inter], `slope ${s} inter ${i}`);
    assert.deepEqual([img.info.sclSlope, img.info.sclInter], [slope, inter]);
  }
});

Deno.test("decodeNifti fills VolumeMeta from the header", () => {
  const vol = makeVolume({ frames: 2 });
  const img = decodeNifti(
    "x.nii",
    niftiBytes(vol, {
      mutate: (h) => {
        h.qformCode = 3;
        h.sformCode = 4;
        h.xyztUnits = 10;
        h.intentCode = 1007;
        h.intentName = "vec";
        h.intentP = [1, 2, 3];
        h.calMin = -5;
        h.calMax = 50;
        h.descrip = "hello";
        h.pixdim[4] = 2.5;
      },
    }).hdr,
  );
  assert.deepEqual(img.volume.meta, {
    qformCode: 3,
    sformCode: 4,
    xyztUnits: 10,
    intentCode: 1007,
    intentName: "vec",
    intentP: [1, 2, 3],
    calMin: -5,
    calMax: 50,
    descrip: "hello",
    timeStep: 2.5,
  });
});

Deno.test("readNiftiInWorker transfers the same volume back and reports errors as NiftiError", async () => {
  const dir = tempDir();
  try {
    const vol = makeVolume({
      dtype: "float64",
      frames: 2,
      fn: (i, j, k, t) => i / (j + 1) - k * t,
    });
    const p = `${dir}/w.nii.gz`;
    Deno.writeFileSync(p, gzipBytes(niftiBytes(vol, { bigEndian: true }).hdr));
    const img = await readNiftiInWorker(p);
    assertSameVoxels(img.volume, vol);
    assert.deepEqual(img.volume.affine, f32Affine(vol));
    assert.equal(img.info.endianness, "big");
    await assert.rejects(
      readNiftiInWorker(`${dir}/none.nii`),
      (e: unknown) =>
        e instanceof NiftiError && e.message === `Cannot read "${dir}/none.nii": no such file`,
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("decodeNifti follows nibabel's header fixes: wrong sizeof_hdr with a NIfTI-1 magic, xform codes > 5", () => {
  const vol = makeVolume({ dtype: "int16" });
  for (const bigEndian of [false, true]) {
    const { hdr } = niftiBytes(vol, { bigEndian });
    new DataView(hdr.buffer).setInt32(0, 344, !bigEndian);
    const img = decodeNifti("x.nii", hdr);
    assert.equal(img.info.endianness, bigEndian ? "big" : "little");
    assertSameVoxels(img.volume, vol);
  }
  const odd = decodeNifti(
    "x.nii",
    niftiBytes(vol, { mutate: (h) => ((h.sformCode = 33), (h.qformCode = 2)) }).hdr,
  );
  assert.equal(odd.info.sformCode, 0);
  assert.equal(odd.info.affineSource, "qform");
});

Deno.test("readNifti and writeNifti let the event loop run between 8 MiB slices", async () => {
  const dir = tempDir();
  try {
    const vol = makeVolume({
      dtype: "uint8",
      shape: [256, 256, 140],
      fn: (i, j, k) => (i ^ j ^ k) & 0xff,
    });
    const p = `${dir}/big.nii.gz`;
    let ticks = 0;
    const tick = () => ticks++;
    setImmediate(tick);
    await writeNifti(p, vol, { level: 1 });
    assert.ok(ticks >= 1, "writeNifti never yielded");
    ticks = 0;
    setImmediate(tick);
    const img = await readNifti(p);
    assert.ok(ticks >= 1, "readNifti never yielded");
    assert.deepEqual(img.volume.data, vol.data);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("readNiftiSync reads into a larger supplied buffer and views exactly the voxels", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const v = makeVolume({ dtype: "int16" });
    writeNiftiSync(`${dir}/v.nii.gz`, v);
    const buffer = new ArrayBuffer(v.data.byteLength + 4096);
    new Uint8Array(buffer).fill(0xff);
    const { volume } = readNiftiSync(`${dir}/v.nii.gz`, { allocate: () => buffer });
    assert.equal(volume.data.buffer, buffer);
    assert.equal(volume.data.length, v.data.length);
    assert.deepEqual([...volume.data], [...v.data]);
    assert.throws(
      () => readNiftiSync(`${dir}/v.nii.gz`, { allocate: (n) => new ArrayBuffer(n - 2) }),
      /allocate\(\) gave/,
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
