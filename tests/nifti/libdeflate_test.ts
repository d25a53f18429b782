/**
 * Issue 15.1: gzip inputs inflated whole by the system libdeflate give exactly what the
 * node:zlib streaming reader gives — voxels, warnings, errors and file digests — and every
 * case libdeflate does not finish cleanly is decoded (and reported) by node:zlib. Needs
 * --allow-ffi for the library (script/test grants it); skipped with a notice without it.
 */
import assert from "node:assert/strict";
import zlib from "node:zlib";
import { libdeflateCounts, locateLibdeflate, useLibdeflate } from "../../src/nifti/libdeflate.ts";
import { readNiftiHashedSync, readNiftiSync } from "../../src/nifti/nifti_read.ts";
import { decodeNifti } from "../../src/nifti/nifti_read.ts";
import { makeVolume } from "../_volumes.ts";
import { niftiBytes, tempDir } from "./_nifti.ts";

const LIB = locateLibdeflate();
if (!LIB) {
  console.warn(
    "NOTICE: libdeflate not found or no --allow-ffi for it (Debian: libdeflate0): " +
      "the libdeflate parity tests are SKIPPED",
  );
}

const gz = (b: Uint8Array) => new Uint8Array(zlib.gzipSync(b));
const cat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) out.set(p, (o += p.length) - p.length);
  return out;
};

/** One read's result. */
interface Outcome {
  data?: Uint8Array;
  dtype?: string;
  shape?: readonly number[];
  warnings?: string[];
  files?: unknown[];
  error?: string;
}

/** What a read gave (hashed, and plain): voxels, warnings and digests, or the error message. */
function outcome(path: string) {
  const attempt = (f: () => Outcome): Outcome => {
    try {
      return f();
    } catch (e) {
      return { error: e instanceof Error ? e.message : String(e) };
    }
  };
  const hashed = attempt(() => {
    const { image, files } = readNiftiHashedSync(path);
    return {
      data: bytesOf(image.volume.data),
      dtype: image.volume.dtype,
      shape: image.volume.shape,
      warnings: image.info.warnings,
      files,
    };
  });
  const plain = attempt(() => {
    const image = readNiftiSync(path);
    return { data: bytesOf(image.volume.data), warnings: image.info.warnings };
  });
  return { ...hashed, plain };
}

function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength).slice();
}

/** Reads `bytes` as a .nii.gz with node:zlib, then with libdeflate: the outcomes must agree. */
function compare(
  name: string,
  bytes: Uint8Array,
  expect: "inflated" | "declined" | "header",
) {
  const dir = tempDir();
  try {
    const path = `${dir}/${name}.nii.gz`;
    Deno.writeFileSync(path, bytes);
    useLibdeflate(null);
    const zlibOutcome = outcome(path);
    assert.ok(useLibdeflate(LIB));
    const before = libdeflateCounts();
    const fastOutcome = outcome(path);
    const after = libdeflateCounts();
    assert.deepEqual(fastOutcome, zlibOutcome, name);
    // Both reads (hashed and plain) took the intended route.
    if (expect === "header") assert.deepEqual(after, before, `${name}: fails in the header`);
    else assert.equal(after[expect] - before[expect], 2, `${name}: ${expect}`);
    return zlibOutcome;
  } finally {
    useLibdeflate(null);
    Deno.removeSync(dir, { recursive: true });
  }
}

const ignore = !LIB;

Deno.test({
  name: "libdeflate: single and multi-member files, every dtype, big-endian, NIfTI-2, 4D",
  ignore,
  fn() {
    for (const dtype of ["uint8", "int16", "float32", "float64", "int32"] as const) {
      const v = makeVolume({
        shape: [7, 5, 3],
        dtype,
        fn: (i, j, k) => ((i + 7 * j + 35 * k) * 37) % 251 - 60,
      });
      for (const layout of [{}, { bigEndian: true }, { version: 2 as const }]) {
        const raw = niftiBytes(v, layout).hdr;
        const r = compare(`one-${dtype}`, gz(raw), "inflated");
        assert.equal(r.data?.length, v.data.byteLength, "decoded");
        // Split anywhere: inside the header, at the voxels, inside the voxels.
        for (const at of [1, 100, 352, 353, raw.length - 1]) {
          compare(
            `multi-${dtype}-${at}`,
            cat(gz(raw.subarray(0, at)), gz(raw.subarray(at))),
            "inflated",
          );
        }
        compare(
          `three-${dtype}`,
          cat(gz(raw.subarray(0, 10)), gz(new Uint8Array(0)), gz(raw.subarray(10))),
          "inflated",
        );
      }
    }
    const four = makeVolume({
      shape: [4, 3, 2],
      frames: 3,
      dtype: "int16",
      fn: (i, j, k, t) => i + 4 * j + 12 * k + 24 * t,
    });
    compare("4d", gz(niftiBytes(four).hdr), "inflated");
  },
});

Deno.test({
  name:
    "libdeflate: bytes after the data — garbage warns, empty members pass, anything else goes to zlib",
  ignore,
  fn() {
    const raw = niftiBytes(makeVolume({ shape: [6, 6, 6], dtype: "int16" })).hdr;
    const garbage = compare("garbage", cat(gz(raw), new Uint8Array([0x42, 0, 0x13])), "inflated");
    assert.match(
      garbage.warnings?.[0] ?? "",
      /trailing garbage after gzip data ignored \(at compressed byte \d+\)/,
    );
    compare("one byte", cat(gz(raw), new Uint8Array([0x1f])), "inflated");
    compare("empty member", cat(gz(raw), gz(new Uint8Array(0))), "inflated");
    // Decompressed bytes after the voxels (in the member or in another one): zlib drains them.
    compare("extra in member", gz(cat(raw, new Uint8Array(100))), "declined");
    compare("extra member", cat(gz(raw), gz(new Uint8Array(10))), "declined");
    compare("extra big member", cat(gz(raw), gz(new Uint8Array(1 << 17))), "declined");
  },
});

Deno.test({
  name: "libdeflate: corrupt and truncated data fail with the zlib reader's messages",
  ignore,
  fn() {
    const raw = niftiBytes(makeVolume({ shape: [9, 8, 7], dtype: "int16" })).hdr;
    const good = gz(raw);
    const cases: [string, Uint8Array, "declined" | "header"][] = [
      ["crc", good.map((b, i) => i === good.length - 6 ? b ^ 1 : b), "declined"],
      ["length", good.map((b, i) => i === good.length - 2 ? b ^ 1 : b), "declined"],
      ["truncated", good.subarray(0, good.length - 30), "declined"],
      ["truncated trailer", good.subarray(0, good.length - 3), "declined"],
      ["data", good.map((b, i) => i >= 40 && i < 80 ? b ^ 0xa5 : b), "header"],
      ["reserved flags", good.map((b, i) => i === 3 ? b | 0x20 : b), "header"],
      [
        "bad second member",
        cat(good, new Uint8Array([0x1f, 0x8b, 8, 0])),
        "declined",
      ],
      ["short stream", gz(raw.subarray(0, raw.length - 10)), "declined"],
    ];
    for (const [name, bytes, expect] of cases) {
      const r = compare(name, bytes, expect);
      assert.ok("error" in r, `${name} must fail`);
    }
  },
});

Deno.test({
  name: "libdeflate: in-memory decode (decodeNifti) of a file and of a gzip pair half agrees too",
  ignore,
  fn() {
    const v = makeVolume({ shape: [5, 4, 3], dtype: "float32", fn: (i, j, k) => (i + j * k) / 7 });
    const { hdr, img } = niftiBytes(v, { pair: true });
    const single = gz(niftiBytes(v).hdr);
    useLibdeflate(null);
    const a = decodeNifti("x.nii.gz", single), b = decodeNifti("x.hdr", hdr, gz(img!));
    try {
      assert.ok(useLibdeflate(LIB));
      const before = libdeflateCounts().inflated;
      assert.deepEqual(decodeNifti("x.nii.gz", single).volume.data, a.volume.data);
      assert.deepEqual(decodeNifti("x.hdr", hdr, gz(img!)).volume.data, b.volume.data);
      assert.equal(libdeflateCounts().inflated - before, 2);
    } finally {
      useLibdeflate(null);
    }
  },
});

Deno.test({
  name:
    "libdeflate: the compressed bytes come from the caller's allocator (a worker's pool), else are freed at once",
  ignore,
  fn() {
    const dir = tempDir();
    try {
      const raw = niftiBytes(makeVolume({ shape: [8, 8, 8], dtype: "int16" })).hdr;
      const path = `${dir}/a.nii.gz`;
      const stored = gz(raw);
      Deno.writeFileSync(path, stored);
      assert.ok(useLibdeflate(LIB));
      const asked: number[] = [];
      const given: ArrayBuffer[] = [];
      const allocate = (n: number) => {
        asked.push(n);
        given.push(new ArrayBuffer(n));
        return given.at(-1)!;
      };
      const { image } = readNiftiHashedSync(path, { allocate });
      // The voxels (with the header bytes before them) and the whole compressed file.
      assert.deepEqual(asked.sort((a, b) => a - b), [stored.length + 1, raw.length]);
      // Pooled buffers stay usable (the pool reuses them); a fresh one is detached after the read.
      assert.ok(given.every((b) => b.byteLength > 0));
      assert.equal(image.volume.data.length, 512);
    } finally {
      useLibdeflate(null);
      Deno.removeSync(dir, { recursive: true });
    }
  },
});
