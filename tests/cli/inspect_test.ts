import assert from "node:assert/strict";
import { inspectFile, renderInspectRecord } from "../../src/cli/inspect.ts";
import { writeNifti } from "../../src/nifti/nifti_write.ts";
import { makeVolume } from "../_volumes.ts";
import { niftiBytes } from "../nifti/_nifti.ts";
import { runCli } from "./_run.ts";

const KEYS = [
  "file",
  "format",
  "gzip",
  "endianness",
  "dtype",
  "shape",
  "spacing",
  "affine",
  "affineSource",
  "qformCode",
  "sformCode",
  "orientation",
  "sclSlope",
  "sclInter",
  "min",
  "max",
  "mean",
  "std",
];

// Stored i + 10j + 100k on 5×6×7, scaled ×2 + 1: mean 2·327 + 1; population variances of
// 0..n−1 are (n²−1)/12, so var = 4·(2 + 100·35/12 + 10⁴·4).
const MEAN = 2 * 327 + 1;
const STD = 2 * Math.sqrt(2 + (100 * 35) / 12 + 10000 * 4);

async function fixture(dir: string) {
  const good = `${dir}/good.nii.gz`;
  await writeNifti(good, makeVolume({ slope: 2, inter: 1 }));
  const complex = `${dir}/complex.nii`;
  Deno.writeFileSync(complex, niftiBytes(makeVolume(), { mutate: (h) => (h.datatype = 32) }).hdr);
  const nan = `${dir}/nan.nii`;
  const v = makeVolume({ dtype: "float32", fn: (i, j, k) => (i === 0 ? NaN : i + j + k) });
  Deno.writeFileSync(nan, niftiBytes(v).hdr);
  return { good, complex, nan };
}

Deno.test("inspectFile reports header facts and scaled statistics with the documented keys", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "medprep-inspect-" });
  try {
    const { good, complex, nan } = await fixture(dir);
    const r = await inspectFile(good);
    assert.ok("record" in r);
    const rec = r.record;
    assert.deepEqual(Object.keys(rec), KEYS);
    assert.deepEqual(
      [rec.format, rec.gzip, rec.endianness, rec.dtype, rec.affineSource, rec.orientation],
      ["nifti1", true, "little", "int16", "sform", "RAS"],
    );
    assert.deepEqual(rec.shape, [5, 6, 7]);
    [0.9, 1.1, 2.5].forEach((s, i) => assert.ok(Math.abs(rec.spacing[i] - s) < 1e-6));
    assert.deepEqual([rec.qformCode, rec.sformCode, rec.sclSlope, rec.sclInter], [1, 1, 2, 1]);
    assert.deepEqual([rec.min, rec.max], [1, 2 * 654 + 1]);
    assert.ok(Math.abs(rec.mean! - MEAN) < 1e-9 && Math.abs(rec.std! - STD) < 1e-9);

    const c = await inspectFile(complex);
    assert.ok("record" in c);
    assert.equal(c.record.dtype, "complex64");
    assert.deepEqual(Object.keys(c.record), KEYS.slice(0, 14));

    const n = await inspectFile(nan);
    assert.ok("record" in n);
    assert.equal(n.record.min, 1); // i = 0 (NaN) skipped
    assert.equal(n.record.max, 4 + 5 + 6);

    const text = renderInspectRecord(r.record);
    assert.match(text, /format +NIfTI-1, gzip, little-endian/);
    assert.match(text, /affine +from sform \(qform_code 1, sform_code 1\)/);
    assert.match(text, /scaling +value = raw x 2 \+ 1/);
    assert.match(text, /values +min 1, max 1309, mean 655, std /);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("inspect --json prints one object per file, errors as {file, error}, exit 1 at the end", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "medprep-inspect-" });
  try {
    const { good, complex } = await fixture(dir);
    const missing = `${dir}/missing.nii`;
    const r = await runCli(["inspect", "--json", good, missing, complex]);
    assert.equal(r.code, 1);
    const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
    assert.equal(lines.length, 3);
    assert.equal(lines[0].file, good);
    assert.equal(lines[0].mean, MEAN);
    assert.deepEqual(lines[1], { file: missing, error: `Cannot read "${missing}": no such file` });
    assert.equal(lines[2].dtype, "complex64");
    const ok = await runCli(["inspect", good]);
    assert.equal(ok.code, 0);
    assert.match(ok.stdout, /orientation +RAS/);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
