import assert from "node:assert/strict";
import { readNiftiHeaderSync } from "../../src/nifti/nifti_read.ts";
import { writeNiftiSync } from "../../src/nifti/nifti_write.ts";
import { makeVolume } from "../_volumes.ts";

Deno.test("readNiftiHeaderSync of a .nii.gz releases its zlib state (no growth over 6000 reads)", () => {
  // Issue #10.6: a header-only read stopped inside the first gzip member and left its native
  // inflate state (~40 kB) open; a worker checking two headers per subject grew ~80 kB each.
  const dir = Deno.makeTempDirSync({ prefix: "medprep-hdr-" });
  try {
    const file = `${dir}/a.nii.gz`;
    writeNiftiSync(file, makeVolume({ shape: [64, 64, 16] }), { level: 1 });
    const read = (n: number) => {
      for (let i = 0; i < n; i++) assert.deepEqual(readNiftiHeaderSync(file).shape, [64, 64, 16]);
    };
    read(1000); // warm up
    const before = Deno.memoryUsage().rss;
    read(6000);
    const grown = Deno.memoryUsage().rss - before;
    // Leaking: ~290 MB. Not leaking: garbage (a 256 kB input buffer per read) until the next GC.
    assert.ok(grown < 120e6, `RSS grew by ${(grown / 1e6).toFixed(0)} MB over 6000 header reads`);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
