/**
 * Issue 15.1 on real files: every gzip file of ../shared/corpus (every file, in fact: the rest
 * must simply not take the libdeflate route) read with libdeflate and with node:zlib gives the
 * same voxels, warnings, errors and digests. Skipped with a notice without ../shared or without
 * libdeflate (Debian libdeflate0) and its --allow-ffi grant.
 */
import assert from "node:assert/strict";
import { libdeflateCounts, locateLibdeflate, useLibdeflate } from "../../src/nifti/libdeflate.ts";
import { readNiftiHashedSync } from "../../src/nifti/nifti_read.ts";

const CORPUS = new URL("../../../shared/corpus/", import.meta.url).pathname;
const LIB = locateLibdeflate();

function corpusFiles(): string[] {
  try {
    const manifest = JSON.parse(Deno.readTextFileSync(`${CORPUS}manifest.json`));
    return (manifest.files as { file: string }[]).map((f) => `${CORPUS}${f.file}`);
  } catch {
    return [];
  }
}

const FILES = corpusFiles();
if (FILES.length === 0) {
  console.warn("NOTICE: ../shared/corpus absent: corpus libdeflate parity SKIPPED");
} else if (!LIB) console.warn("NOTICE: libdeflate unavailable: corpus libdeflate parity SKIPPED");

function read(path: string) {
  try {
    const { image, files } = readNiftiHashedSync(path);
    const d = image.volume.data;
    return {
      bytes: new Uint8Array(d.buffer, d.byteOffset, d.byteLength).slice(),
      warnings: image.info.warnings,
      files,
    };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

Deno.test({
  name: "corpus: libdeflate and node:zlib read every file identically",
  ignore: FILES.length === 0 || !LIB,
  fn() {
    let gzipped = 0;
    const before = libdeflateCounts().inflated;
    for (const path of FILES) {
      useLibdeflate(null);
      const slow = read(path);
      useLibdeflate(LIB);
      try {
        assert.deepEqual(read(path), slow, path);
      } finally {
        useLibdeflate(null);
      }
      const head = new Uint8Array(2);
      using f = Deno.openSync(path);
      f.readSync(head);
      const pair = /\.(hdr|img)(\.gz)?$/i.test(path);
      if (head[0] === 0x1f && head[1] === 0x8b && !pair && !("error" in slow)) gzipped++;
    }
    // Every readable single gzip file took the libdeflate route (pairs and plain files do not).
    assert.ok(gzipped > 0, "the corpus has gzip files");
    assert.equal(libdeflateCounts().inflated - before, gzipped, "libdeflate inflated each one");
  },
});
