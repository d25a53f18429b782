import assert from "node:assert/strict";
import { NiftiError } from "../../src/errors.ts";
import { gzipBytes } from "../../src/nifti/gzip_writer.ts";
import { readNifti, readNiftiHeader, readNiftiSync } from "../../src/nifti/nifti_read.ts";
import { makeVolume } from "../_volumes.ts";
import { type LayoutOptions, niftiBytes, tempDir } from "./_nifti.ts";

const dir = tempDir();
let n = 0;
function file(bytes: Uint8Array, ext = "nii"): string {
  const p = `${dir}/f${n++}.${ext}`;
  Deno.writeFileSync(p, bytes);
  return p;
}
const nii = (o: LayoutOptions = {}) => niftiBytes(makeVolume(), o).hdr;

/** Asserts that both readers fail with one NiftiError line naming `path` and matching `re`. */
async function assertBad(path: string, re: RegExp, options?: { maxBytes?: number }): Promise<void> {
  for (
    const read of [
      () => readNifti(path, options),
      () => Promise.resolve().then(() => readNiftiSync(path, options)),
    ]
  ) {
    await assert.rejects(read, (e: unknown) => {
      assert.ok(e instanceof NiftiError, `not a NiftiError: ${e}`);
      assert.ok(!e.message.includes("\n"), `multi-line: ${e.message}`);
      assert.ok(e.message.startsWith(`Cannot read "${path}`), e.message);
      assert.match(e.message, re);
      return true;
    });
  }
}

Deno.test("readNifti: missing file, directory, empty file", async () => {
  await assertBad(`${dir}/nope.nii.gz`, /: no such file$/);
  await assertBad(dir, /: not a regular file \(a directory\)$/);
  await assertBad(file(new Uint8Array(0)), /: empty file$/);
});

Deno.test("readNifti: truncated header, not NIfTI, bad magic", async () => {
  await assertBad(file(nii().subarray(0, 200)), /truncated header: 200 of 348 bytes/);
  await assertBad(file(nii().subarray(0, 3)), /truncated header/);
  await assertBad(
    file(gzipBytes(nii().subarray(0, 100)), "nii.gz"),
    /truncated header: 100 of 348/,
  );
  await assertBad(
    file(new TextEncoder().encode("hello world, this is not an image".repeat(20))),
    /not a NIfTI file \(sizeof_hdr/,
  );
  await assertBad(
    file(nii({ mutate: (h) => (h.magic = "xx1") })),
    /bad magic "xx1" for a NIfTI-1 header/,
  );
  await assertBad(file(nii({ version: 2, mutate: (h) => (h.magic = "n+1") })), /bad magic/);
  const nul = nii();
  nul[347] = 0x31; // "n+1" followed by "1" instead of NUL
  await assertBad(file(nul), /bad magic "n\+11" for a NIfTI-1 header/);
  const eol = nii({ version: 2 });
  eol[9] = 0x0d; // "\r\r" as after a text-mode transfer
  await assertBad(file(eol), /damaged NIfTI-2 magic/);
});

Deno.test("readNifti: truncated voxel data, plain and gzipped", async () => {
  const full = nii();
  await assertBad(
    file(full.subarray(0, full.length - 7)),
    /truncated data: the image needs 772 bytes but the file has 765/,
  );
  await assertBad(
    file(gzipBytes(full.subarray(0, full.length - 7)), "nii.gz"),
    /truncated data: got 413 of 420 bytes/,
  );
});

Deno.test("readNifti: truncated or corrupt gzip stream", async () => {
  const gz = gzipBytes(nii());
  await assertBad(file(gz.subarray(0, gz.length - 3), "nii.gz"), /truncated gzip stream/);
  await assertBad(file(gz.subarray(0, 40), "nii.gz"), /truncated (gzip stream|data)/);
  const badCrc = gz.slice();
  badCrc[gz.length - 6] ^= 0x55;
  await assertBad(file(badCrc, "nii.gz"), /corrupt gzip data \(CRC-32 mismatch\)/);
  const badLen = gz.slice();
  badLen[gz.length - 2] ^= 0x01;
  await assertBad(file(badLen, "nii.gz"), /corrupt gzip data \(length mismatch\)/);
  const badData = gz.slice();
  for (let i = 20; i < 60; i++) badData[i] ^= 0xa5;
  await assertBad(file(badData, "nii.gz"), /corrupt gzip data|truncated|CRC/);
});

Deno.test("readNifti reads multi-member gzip whole and ignores trailing garbage like gzip(1)", async () => {
  const raw = nii();
  const a = gzipBytes(raw.subarray(0, 500)), b = gzipBytes(raw.subarray(500));
  const multi = new Uint8Array([...a, ...b]);
  const img = await readNifti(file(multi, "nii.gz"));
  assert.deepEqual(img.volume.data, makeVolume().data);
  assert.deepEqual(img.info.warnings, []);
  const garbage = await readNifti(file(new Uint8Array([...multi, 0x42, 0x00, 0x13]), "nii.gz"));
  assert.deepEqual(garbage.volume.data, makeVolume().data);
  assert.equal(garbage.info.warnings.length, 1);
  assert.match(garbage.info.warnings[0], /trailing garbage after gzip data ignored/);
});

Deno.test("readNifti: vox_offset beyond the file or inside the header", async () => {
  await assertBad(
    file(nii({ mutate: (h) => (h.voxOffset = 5000) })),
    /vox_offset 5000 is beyond the end of the file \(772 bytes\)/,
  );
  await assertBad(
    file(gzipBytes(nii({ mutate: (h) => (h.voxOffset = 5000) })), "nii.gz"),
    /vox_offset 5000 is beyond the end of the data/,
  );
  await assertBad(
    file(nii({ mutate: (h) => (h.voxOffset = 0) })),
    /vox_offset 0 lies inside the header/,
  );
  await assertBad(file(nii({ mutate: (h) => (h.voxOffset = NaN) })), /invalid vox_offset NaN/);
});

Deno.test("readNifti: dims ≤ 0, bad dim[0], overflow and the memory guard (before allocating)", async () => {
  await assertBad(file(nii({ mutate: (h) => (h.dim[2] = 0) })), /invalid dimension dim\[2\] = 0/);
  await assertBad(file(nii({ mutate: (h) => (h.dim[3] = -7) })), /invalid dimension dim\[3\] = -7/);
  await assertBad(file(nii({ mutate: (h) => (h.dim[0] = 0) })), /invalid dim\[0\] = 0/);
  await assertBad(file(nii({ mutate: (h) => (h.dim[0] = 9) })), /invalid dim\[0\] = 9/);
  const huge = (h: { dim: number[] }) => (h.dim = [4, 32767, 32767, 32767, 32767, 1, 1, 1]);
  await assertBad(file(nii({ mutate: huge })), /needs .* bytes, over the \d+-byte memory guard/);
  const n2 = (h: { dim: number[] }) => (h.dim = [3, 2 ** 40, 2 ** 40, 2 ** 12, 1, 1, 1, 1]);
  await assertBad(file(nii({ version: 2, mutate: n2 })), /memory guard/);
  await assertBad(file(nii()), /needs 420 bytes, over the 100-byte memory guard/, {
    maxBytes: 100,
  });
  // 1000³ int16 = 2 GB is under the default guard, but a 1 kB gzip cannot hold it.
  const big = (h: { dim: number[] }) => (h.dim = [3, 1000, 1000, 1000, 1, 1, 1, 1]);
  await assertBad(
    file(gzipBytes(nii({ mutate: big })), "nii.gz"),
    /truncated data: .* cannot hold them/,
  );
});

Deno.test("readNifti: unsupported datatypes name the code; readNiftiHeader still describes them", async () => {
  for (
    const [code, name] of [[32, "complex64"], [128, "rgb24"], [2304, "rgba32"], [
      7,
      "unknown-7",
    ]] as const
  ) {
    const p = file(nii({ mutate: (h) => (h.datatype = code) }));
    await assertBad(p, new RegExp(`unsupported datatype ${code} \\(${name}\\)`));
    const head = await readNiftiHeader(p);
    assert.equal(head.info.dtypeName, name);
    assert.equal(head.info.datatypeCode, code);
  }
});

Deno.test("readNifti: NaN/Inf slope reads the raw values", async () => {
  for (const s of [NaN, Infinity, -Infinity]) {
    const img = await readNifti(file(nii({ mutate: (h) => ((h.sclSlope = s), (h.sclInter = 3)) })));
    assert.deepEqual([img.volume.slope, img.volume.inter], [1, 0]);
  }
});

Deno.test("readNifti: a pair with a missing half, an invalid qform", async () => {
  const { hdr } = niftiBytes(makeVolume(), { pair: true });
  const p = `${dir}/lonely.hdr`;
  Deno.writeFileSync(p, hdr);
  await assertBad(
    p,
    /image half of the pair is missing \(looked for ".*lonely\.img", ".*lonely\.img\.gz"\)/,
  );
  const q = (
    h: { sformCode: number; quatern: number[] },
  ) => ((h.sformCode = 0), (h.quatern = [0.9, 0.9, 0]));
  await assertBad(file(nii({ mutate: q })), /invalid qform quaternion/);
});

Deno.test("readNifti bad-input suite cleanup", () => {
  Deno.removeSync(dir, { recursive: true });
});
