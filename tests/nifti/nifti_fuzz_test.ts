/**
 * Fuzz-style robustness test: thousands of deterministic mutants of real headers (synthetic
 * files in every layout, plus the small files of ../shared/corpus when present) must each
 * give a clean read or a one-line NiftiError naming the file — never another exception.
 */
import assert from "node:assert/strict";
import zlib from "node:zlib";
import { NiftiError } from "../../src/errors.ts";
import { decodeNifti } from "../../src/nifti/nifti_read.ts";
import { gzipBytes } from "../../src/nifti/gzip_writer.ts";
import { createRng, type Rng } from "../../src/random/rng.ts";
import { frameLength } from "../../src/volume/volume.ts";
import { makeVolume } from "../_volumes.ts";
import { niftiBytes } from "./_nifti.ts";

const CORPUS = new URL("../../../shared/corpus/", import.meta.url);

interface Seed {
  name: string;
  hdr: Uint8Array;
  img?: Uint8Array;
  headerSize: number;
}

function seeds(): Seed[] {
  const out: Seed[] = [];
  for (
    const [dtype, version, bigEndian, pair] of [
      ["int16", 1, false, false],
      ["float32", 1, true, false],
      ["uint8", 2, false, false],
      ["float64", 2, true, false],
      ["int64", 1, false, true],
      ["uint16", 2, true, true],
    ] as const
  ) {
    const vol = makeVolume({ dtype, frames: 2, shape: [5, 4, 3] });
    const b = niftiBytes(vol, { version, bigEndian, pair });
    out.push({
      name: `${dtype}-v${version}${bigEndian ? "-be" : ""}${pair ? "-pair" : ""}`,
      ...b,
      headerSize: version === 1 ? 352 : 544,
    });
  }
  try {
    for (
      const name of [
        "5D_small.nii",
        "minimal.nii.gz",
        "complex_image.nii.gz",
        "big.nii.gz",
        "EPI_asc_CLEAR_201.nii",
      ]
    ) {
      const bytes = Deno.readFileSync(new URL(name, CORPUS));
      const raw = decodeRaw(bytes);
      out.push({ name, hdr: raw, headerSize: 352 });
    }
    out.push({
      name: "ras.hdr",
      hdr: Deno.readFileSync(new URL("ras.hdr", CORPUS)),
      img: Deno.readFileSync(new URL("ras.img", CORPUS)),
      headerSize: 348,
    });
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
    console.warn("nifti_fuzz_test: ../shared/corpus absent, fuzzing synthetic headers only");
  }
  return out;
}

/** The decompressed bytes of a (valid) corpus file. */
function decodeRaw(bytes: Uint8Array): Uint8Array {
  return bytes[0] === 0x1f ? new Uint8Array(zlib.gunzipSync(bytes)) : bytes;
}

const INTERESTING = [0, 1, 0x7f, 0x80, 0xff, 0xfe, 2, 4, 8, 16, 0x40, 0x5c, 0x01];

function mutate(rng: Rng, s: Seed): { hdr: Uint8Array; img?: Uint8Array } {
  const hdr = s.hdr.slice();
  const kind = rng.int(0, 9);
  if (kind === 0) return { hdr: hdr.subarray(0, rng.int(0, hdr.length)), img: s.img };
  if (kind === 1 && s.img) return { hdr, img: s.img.subarray(0, rng.int(0, s.img.length)) };
  const edits = rng.int(1, 6);
  for (let e = 0; e < edits; e++) {
    const at = rng.int(0, Math.min(hdr.length, s.headerSize) - 1);
    const how = rng.int(0, 2);
    if (how === 0) hdr[at] = rng.int(0, 255);
    else if (how === 1) hdr[at] ^= 1 << rng.int(0, 7);
    else hdr[at] = INTERESTING[rng.int(0, INTERESTING.length - 1)];
  }
  if (kind === 2) return { hdr: gzipBytes(hdr, 1), img: s.img };
  return { hdr, img: s.img };
}

Deno.test("decodeNifti gives a clean read or a one-line NiftiError for 3000 header mutants", () => {
  const rng = createRng(20261126);
  const all = seeds();
  let reads = 0, errors = 0;
  for (let i = 0; i < 3000; i++) {
    const s = all[i % all.length];
    const m = mutate(rng, s);
    const file = `mutant-${i}-${s.name}`;
    try {
      const img = decodeNifti(file, m.hdr, m.img, {
        maxBytes: 64 << 20,
        flattenExtraDims: i % 2 === 0,
      });
      const v = img.volume;
      assert.equal(v.data.length, frameLength(v) * v.frames, file);
      assert.ok(v.affine.every((row) => row.every(Number.isFinite)), `${file}: non-finite affine`);
      assert.ok(
        Number.isFinite(v.slope) && Number.isFinite(v.inter),
        `${file}: non-finite scaling`,
      );
      reads++;
    } catch (e) {
      if (!(e instanceof NiftiError)) {
        throw new Error(
          `${file}: unexpected ${e instanceof Error ? `${e.name}: ${e.message}` : e}`,
        );
      }
      assert.ok(e.message.startsWith(`Cannot read "${file}"`), e.message);
      assert.ok(!e.message.includes("\n"), e.message);
      errors++;
    }
  }
  // Both outcomes must occur, or the mutants are not exercising anything.
  assert.ok(reads > 300 && errors > 300, `reads ${reads}, errors ${errors}`);
  console.log(`fuzz: ${reads} clean reads, ${errors} clean errors`);
});
