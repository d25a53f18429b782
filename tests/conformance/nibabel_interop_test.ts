/**
 * nibabel interop (issue 3 item 8): files written by medprep are read by nibabel (Debian's
 * /usr/bin/python3) with the same affine, qform, codes, dtype, shape, scaling and voxels.
 * Synthetic volumes of every dtype, plus every readable corpus file when ../shared is present.
 * Skipped with a notice when /usr/bin/python3 has no nibabel.
 */
import assert from "node:assert/strict";
import { sha256Bytes } from "../../src/nifti/hash.ts";
import { readNifti, readNiftiSync } from "../../src/nifti/nifti_read.ts";
import { createRng } from "../../src/random/rng.ts";
import { niftiBytes } from "../nifti/_nifti.ts";
import { voxelBytes, writeNifti } from "../../src/nifti/nifti_write.ts";
import { isSheared } from "../../src/volume/affine.ts";
import { DTYPES } from "../../src/volume/dtype.ts";
import type { Volume } from "../../src/volume/volume.ts";
import { VERSION } from "../../src/version.ts";
import { makeVolume, obliqueAffine } from "../_volumes.ts";

const PYTHON = "/usr/bin/python3";
const HELPER = new URL("./nibabel_read.py", import.meta.url).pathname;
const CORPUS = new URL("../../../shared/corpus/", import.meta.url);

function nibabelAvailable(): boolean {
  try {
    return new Deno.Command(PYTHON, { args: ["-c", "import nibabel"], stderr: "null" }).outputSync()
      .code === 0;
  } catch {
    return false;
  }
}

interface NibResult {
  file: string;
  error?: string;
  dtype: string;
  shape: number[];
  affine: number[][];
  qform: number[][] | null;
  qform_code: number;
  sform_code: number;
  slope: number | null;
  inter: number | null;
  sha256: string;
  descrip: string;
  units: string[];
  vox_offset: number;
}

function nibabelRead(files: string[], tolerant = false): NibResult[] {
  const args = [HELPER, ...(tolerant ? ["--tolerant"] : []), ...files];
  const out = new Deno.Command(PYTHON, { args }).outputSync();
  if (out.code !== 0) throw new Error(new TextDecoder().decode(out.stderr));
  return new TextDecoder().decode(out.stdout).trim().split("\n").map((l) => JSON.parse(l));
}

function cases(): [string, Volume][] {
  const list: [string, Volume][] = DTYPES.map((dtype) => [
    dtype,
    makeVolume({
      dtype,
      fn: (i, j, k) => (i * 11 + j * 7 + k * 3) % 100,
      slope: dtype.startsWith("float") ? 1 : 0.25,
      inter: dtype.startsWith("float") ? 0 : -4,
    }),
  ]);
  list.push([
    "4d-flipped",
    makeVolume({
      frames: 3,
      affine: obliqueAffine().map((r, i) => (i < 3 ? [r[0], r[1], -r[2], r[3]] : r)),
    }),
  ]);
  list.push([
    "sheared",
    makeVolume({ affine: [[0.8, 0.2, 0, 1], [0, 0.8, 0.1, 2], [0, 0, 2.5, 3], [0, 0, 0, 1]] }),
  ]);
  return list;
}

const available = nibabelAvailable();
if (!available) console.warn(`nibabel interop SKIPPED: ${PYTHON} cannot import nibabel`);

Deno.test({
  name: "writeNifti output reads back in nibabel with the same geometry, codes, dtype and voxels",
  ignore: !available,
  async fn() {
    const dir = Deno.makeTempDirSync({ prefix: "medprep-nib-" });
    try {
      const written: { path: string; vol: Volume; rigid: boolean }[] = [];
      for (const [name, vol] of cases()) {
        for (const ext of ["nii", "nii.gz"]) {
          const path = `${dir}/${name}.${ext}`;
          await writeNifti(path, vol);
          written.push({ path, vol, rigid: name !== "sheared" });
        }
      }
      try {
        for (const e of JSON.parse(Deno.readTextFileSync(new URL("manifest.json", CORPUS))).files) {
          try {
            const vol =
              (await readNifti(new URL(e.file, CORPUS).pathname, { flattenExtraDims: true }))
                .volume;
            const path = `${dir}/corpus-${e.file.replace(/\W/g, "_")}.nii.gz`;
            await writeNifti(path, vol);
            written.push({ path, vol, rigid: false });
          } catch { /* unsupported types are covered by corpus_test */ }
        }
      } catch (e) {
        if (!(e instanceof Deno.errors.NotFound)) throw e;
      }
      const nib = nibabelRead(written.map((w) => w.path));
      assert.equal(nib.length, written.length);
      for (const [i, { path, vol, rigid }] of written.entries()) {
        const r = nib[i];
        assert.equal(r.file, path);
        assert.equal(r.dtype, vol.dtype, path);
        assert.deepEqual(
          r.shape,
          vol.frames > 1 ? [...vol.shape, vol.frames] : [...vol.shape],
          path,
        );
        assert.equal(r.sha256, sha256Bytes(voxelBytes(vol)), `${path}: voxels differ`);
        assert.deepEqual(
          r.affine,
          vol.affine.map((row) => row.map(Math.fround)),
          `${path}: affine`,
        );
        // SPEC §2: a sheared affine has no exact qform, so its qform_code is 0.
        assert.deepEqual([r.qform_code, r.sform_code], [
          isSheared(vol.affine) ? 0 : vol.meta.qformCode || 2,
          vol.meta.sformCode || 2,
        ], path);
        assert.deepEqual([r.slope ?? 1, r.inter ?? 0], [
          Math.fround(vol.slope),
          Math.fround(vol.inter),
        ]);
        assert.equal(r.descrip, `medprep ${VERSION}`);
        assert.equal(r.vox_offset, 352);
        assert.equal(r.units[0], "mm");
        if (rigid) {
          for (let a = 0; a < 3; a++) {
            for (let b = 0; b < 4; b++) {
              assert.ok(
                Math.abs(r.qform![a][b] - vol.affine[a][b]) < 1e-4,
                `${path}: qform[${a}][${b}]`,
              );
            }
          }
        }
      }
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});

/** Where medprep refuses on purpose what nibabel reads (documented in src/nifti/nifti_read.ts). */
const DELIBERATE_REFUSALS = [
  /invalid dim\[0\]/, // nibabel slices dim[1:dim0+1], silently truncating dim[0] > 7
  /invalid dimension dim\[\d\] = (0|-)/, // item 7: dims ≤ 0 are errors (nibabel: empty array)
  /lies inside the header/, // nibabel reads header bytes as voxels
  /unsupported datatype/, // complex, RGB, …
  /non-finite entries|invalid qform quaternion/,
];

function mutants(dir: string, count: number): string[] {
  const seeds: Uint8Array[] = [
    niftiBytes(makeVolume({ dtype: "int16", frames: 2, shape: [5, 4, 3] })).hdr,
    niftiBytes(makeVolume({ dtype: "float32", shape: [5, 4, 3] }), { bigEndian: true }).hdr,
    niftiBytes(makeVolume({ dtype: "uint8", shape: [5, 4, 3] }), { version: 2 }).hdr,
    niftiBytes(makeVolume({ dtype: "int64", shape: [3, 4, 5] }), { version: 2, bigEndian: true })
      .hdr,
  ];
  try {
    seeds.push(Deno.readFileSync(new URL("5D_small.nii", CORPUS)));
  } catch { /* corpus absent: synthetic seeds only */ }
  const rng = createRng(42);
  const files: string[] = [];
  for (let i = 0; i < count; i++) {
    const bytes = seeds[i % seeds.length].slice();
    const headerSize = new DataView(bytes.buffer).getInt32(0, true) === 540 ||
        new DataView(bytes.buffer).getInt32(0, false) === 540
      ? 540
      : 348;
    for (let e = rng.int(1, 3); e > 0; e--) {
      const at = rng.int(0, headerSize - 1);
      bytes[at] = rng.bernoulli(0.5) ? rng.int(0, 255) : bytes[at] ^ (1 << rng.int(0, 7));
    }
    const file = `${dir}/m${i}.nii`;
    Deno.writeFileSync(file, bytes);
    files.push(file);
  }
  return files;
}

Deno.test({
  name:
    "readNiftiSync agrees with nibabel on 400 header mutants (or refuses for a documented reason)",
  ignore: !available,
  fn() {
    const dir = Deno.makeTempDirSync({ prefix: "medprep-nib-fuzz-" });
    try {
      const files = mutants(dir, 400);
      const nib = nibabelRead(files, true);
      let agreed = 0, bothRefuse = 0, deliberate = 0;
      for (const [i, file] of files.entries()) {
        const r = nib[i];
        assert.equal(r.file, file);
        let ours;
        try {
          ours = readNiftiSync(file, { maxBytes: 64 << 20, flattenExtraDims: true });
        } catch (e) {
          const msg = (e as Error).message;
          if (r.error !== undefined) bothRefuse++;
          else {
            deliberate++;
            assert.ok(
              DELIBERATE_REFUSALS.some((re) => re.test(msg)),
              `${file}: nibabel reads it, medprep: ${msg}`,
            );
          }
          continue;
        }
        assert.equal(r.error, undefined, `${file}: medprep reads it, nibabel: ${r.error}`);
        const v = ours.volume;
        assert.deepEqual(ours.info.fullShape, r.shape, `${file}: shape`);
        assert.equal(v.dtype, r.dtype, `${file}: dtype`);
        assert.equal(sha256Bytes(voxelBytes(v)), r.sha256, `${file}: voxels`);
        assert.deepEqual([v.slope, v.inter], [r.slope ?? 1, r.inter ?? 0], `${file}: scaling`);
        for (let a = 0; a < 4; a++) {
          for (let b = 0; b < 4; b++) {
            assert.ok(
              Math.abs(v.affine[a][b] - r.affine[a][b]) <=
                1e-4 * Math.max(1, Math.abs(r.affine[a][b])),
              `${file}: affine[${a}][${b}] ${v.affine[a][b]} vs ${r.affine[a][b]}`,
            );
          }
        }
        agreed++;
      }
      console.log(
        `nibabel fuzz: ${agreed} agree, ${bothRefuse} refused by both, ${deliberate} refused by medprep only (documented)`,
      );
      assert.ok(agreed > 200, `only ${agreed} mutants read by both`);
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});
