/**
 * nibabel interop (issue 3 item 8): files written by medprep are read by nibabel (Debian's
 * /usr/bin/python3) with the same affine, qform, codes, dtype, shape, scaling and voxels.
 * Synthetic volumes of every dtype, plus every readable corpus file when ../shared is present.
 * Skipped with a notice when /usr/bin/python3 has no nibabel.
 */
import assert from "node:assert/strict";
import { sha256Bytes } from "../../src/io/hash.ts";
import { readNifti } from "../../src/io/nifti_read.ts";
import { voxelBytes, writeNifti } from "../../src/io/nifti_write.ts";
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

function nibabelRead(files: string[]): NibResult[] {
  const out = new Deno.Command(PYTHON, { args: [HELPER, ...files] }).outputSync();
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
        assert.deepEqual([r.qform_code, r.sform_code], [
          vol.meta.qformCode || 2,
          vol.meta.sformCode || 2,
        ]);
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
