/**
 * Corpus conformance (issue 3 item 8): every file of ../shared/corpus/manifest.json read
 * and compared with nibabel's answer — shape, dtype, affine (≤ 1e-4), affine source,
 * effective scaling, orientation, statistics (1e-6 relative) and samples — then written
 * and read back (data, scaling and affine identical up to the float32 header fields).
 * Skipped with a notice when ../shared is absent. No file is special-cased: what is
 * checked follows from the manifest's fields.
 */
import assert from "node:assert/strict";
import { NiftiError } from "../../src/errors.ts";
import { readNifti, readNiftiHeader } from "../../src/nifti/nifti_read.ts";
import { writeNifti } from "../../src/nifti/nifti_write.ts";
import { deriveOrientation } from "../../src/volume/affine.ts";
import { DTYPES } from "../../src/volume/dtype.ts";
import { deriveValueStats } from "../../src/volume/value_stats.ts";

const CORPUS = new URL("../../../shared/corpus/", import.meta.url);
const MANIFEST = new URL("manifest.json", CORPUS);

interface Entry {
  file: string;
  image_file?: string;
  gzip: boolean;
  nifti_version: number;
  endianness: "little" | "big";
  datatype_code: number;
  datatype_name: string;
  shape: number[];
  affine: number[][];
  affine_source: string;
  axcodes: string;
  effective_slope: number;
  effective_inter: number;
  data_min?: number;
  data_max?: number;
  data_mean?: number;
  data_std?: number;
  n_nonfinite?: number;
  samples?: { index: number[]; value: number | null }[];
}

function loadManifest(): Entry[] | null {
  try {
    return JSON.parse(Deno.readTextFileSync(MANIFEST)).files as Entry[];
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
}

const rel = (a: number, b: number, tol: number) => Math.abs(a - b) <= tol * Math.abs(b) + 1e-12;
const files = loadManifest();
const supported = (e: Entry) => (DTYPES as readonly string[]).includes(e.datatype_name);

if (!files) {
  console.warn(`corpus conformance SKIPPED: ${MANIFEST.pathname} not found (../shared absent)`);
  Deno.test({
    name: "corpus conformance (skipped: ../shared/corpus absent)",
    ignore: true,
    fn() {},
  });
}

for (const e of files ?? []) {
  const path = new URL(e.file, CORPUS).pathname;

  Deno.test(`readNiftiHeader matches nibabel's header facts for ${e.file}`, async () => {
    const { info, affine } = await readNiftiHeader(path);
    assert.deepEqual(info.fullShape, e.shape);
    assert.equal(info.dtypeName, e.datatype_name);
    assert.equal(info.datatypeCode, e.datatype_code);
    assert.equal(info.format, `nifti${e.nifti_version}`);
    assert.equal(info.endianness, e.endianness);
    assert.equal(info.gzip, e.gzip);
    assert.equal(info.pair, e.image_file !== undefined);
    assert.equal(e.affine_source.split(" ")[0], info.affineSource);
    for (let r = 0; r < 4; r++) {
      for (let c = 0; c < 4; c++) {
        assert.ok(
          Math.abs(affine[r][c] - e.affine[r][c]) <= 1e-4,
          `affine[${r}][${c}] ${affine[r][c]} vs ${e.affine[r][c]}`,
        );
      }
    }
    assert.equal(deriveOrientation(affine), e.axcodes);
    assert.ok(rel(info.sclSlope, e.effective_slope, 1e-12), `slope ${info.sclSlope}`);
    assert.ok(rel(info.sclInter, e.effective_inter, 1e-12), `inter ${info.sclInter}`);
  });

  if (!supported(e)) {
    Deno.test(`readNifti rejects ${e.file} naming datatype ${e.datatype_code}`, async () => {
      await assert.rejects(readNifti(path), (err: unknown) => {
        assert.ok(err instanceof NiftiError);
        assert.equal(
          err.message.split(": ")[0],
          `Cannot read "${path}"`,
        );
        assert.match(
          err.message,
          new RegExp(`unsupported datatype ${e.datatype_code} \\(${e.datatype_name}\\)`),
        );
        return true;
      });
    });
    continue;
  }

  Deno.test(`readNifti matches nibabel's statistics and samples for ${e.file}`, async () => {
    const img = await readNifti(path, { flattenExtraDims: true });
    const v = img.volume;
    assert.equal(v.dtype, e.datatype_name);
    const s = deriveValueStats(v)!;
    assert.ok(rel(s.min, e.data_min!, 1e-6), `min ${s.min} vs ${e.data_min}`);
    assert.ok(rel(s.max, e.data_max!, 1e-6), `max ${s.max} vs ${e.data_max}`);
    assert.ok(rel(s.mean, e.data_mean!, 1e-6), `mean ${s.mean} vs ${e.data_mean}`);
    assert.ok(rel(s.std, e.data_std!, 1e-6), `std ${s.std} vs ${e.data_std}`);
    assert.equal(s.nonFinite, e.n_nonfinite ?? 0);
    const shape = e.shape;
    for (const { index, value } of e.samples ?? []) {
      let flat = 0;
      for (let d = shape.length - 1; d >= 0; d--) flat = flat * shape[d] + (index[d] ?? 0);
      const got = Number(v.data[flat]) * v.slope + v.inter;
      if (value === null) assert.ok(Number.isNaN(got), `sample ${index}`);
      else assert.ok(rel(got, value, 1e-6), `sample ${index}: ${got} vs ${value}`);
    }
    if (e.image_file) {
      const viaImage = await readNifti(new URL(e.image_file, CORPUS).pathname, {
        flattenExtraDims: true,
      });
      assert.deepEqual(viaImage.volume.data, v.data);
    }
  });

  Deno.test(`writeNifti → readNifti round-trips ${e.file} (data, scaling, affine)`, async () => {
    const dir = Deno.makeTempDirSync({ prefix: "medprep-corpus-rt-" });
    try {
      const a = (await readNifti(path, { flattenExtraDims: true })).volume;
      for (const ext of ["nii", "nii.gz"]) {
        const out = `${dir}/rt.${ext}`;
        await writeNifti(out, a);
        const b = (await readNifti(out)).volume;
        assert.equal(b.dtype, a.dtype);
        assert.deepEqual(b.shape, a.shape);
        assert.equal(b.frames, a.frames);
        assert.deepEqual([b.slope, b.inter], [Math.fround(a.slope), Math.fround(a.inter)]);
        assert.deepEqual(b.data, a.data);
        // The sform stores float32: identical for sform-sourced inputs, float32-rounded otherwise.
        assert.deepEqual(b.affine, a.affine.map((row) => row.map(Math.fround)));
      }
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  });
}
