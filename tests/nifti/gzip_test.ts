import assert from "node:assert/strict";
import zlib from "node:zlib";
import { NiftiError } from "../../src/errors.ts";
import { GunzipReader, isGzip, memoryReader } from "../../src/nifti/gzip.ts";
import { gzipBytes, GzipWriter } from "../../src/nifti/gzip_writer.ts";

const text = (n: number) =>
  new TextEncoder().encode(Array.from({ length: n }, (_, i) => `line ${i * 7 % 113}\n`).join(""));

function gunzipAll(bytes: Uint8Array, chunk = 1000): { data: Uint8Array; warnings: string[] } {
  const r = new GunzipReader("t.gz", memoryReader(bytes));
  const parts: number[] = [];
  const buf = new Uint8Array(chunk);
  for (;;) {
    const n = r.read(buf);
    if (n === 0) break;
    parts.push(...buf.subarray(0, n));
  }
  return { data: new Uint8Array(parts), warnings: r.warnings };
}

Deno.test("gzipBytes output is standard gzip, deterministic, mtime 0 and nameless", () => {
  const data = text(5000);
  const a = gzipBytes(data, 6), b = gzipBytes(data, 6);
  assert.deepEqual(a, b);
  assert.ok(isGzip(a));
  assert.equal(a[3], 0); // no FNAME/FCOMMENT/FEXTRA
  assert.deepEqual([...a.subarray(4, 8)], [0, 0, 0, 0]);
  assert.deepEqual(new Uint8Array(zlib.gunzipSync(a)), data);
  assert.ok(gzipBytes(data, 9).length < gzipBytes(data, 1).length);
});

Deno.test("GzipWriter streams many writes into one member equal to one-shot gzip", () => {
  const data = text(20000);
  const parts: Uint8Array[] = [];
  const w = new GzipWriter((b) => parts.push(b.slice()), 6);
  for (let o = 0; o < data.length; o += 777) w.write(data.subarray(o, o + 777));
  w.finish();
  const joined = new Uint8Array(parts.flatMap((p) => [...p]));
  assert.deepEqual(new Uint8Array(zlib.gunzipSync(joined)), data);
});

Deno.test("GunzipReader reads in any output chunk size and across members", () => {
  const data = text(3000);
  const gz = gzipBytes(data);
  for (const chunk of [1, 13, 4096, 1 << 20]) assert.deepEqual(gunzipAll(gz, chunk).data, data);
  const multi = new Uint8Array([
    ...gzipBytes(data.subarray(0, 10)),
    ...gzipBytes(new Uint8Array(0)),
    ...gzipBytes(data.subarray(10)),
  ]);
  assert.deepEqual(gunzipAll(multi, 333).data, data);
});

Deno.test("GunzipReader skips FEXTRA, FNAME, FCOMMENT and FHCRC header fields", () => {
  const data = text(100);
  const gz = gzipBytes(data);
  const extra = [4, 0, 1, 2, 3, 4];
  const name = [...new TextEncoder().encode("x.nii"), 0];
  const comment = [...new TextEncoder().encode("hi"), 0];
  const header = [
    0x1f,
    0x8b,
    8,
    4 | 8 | 16 | 2,
    0,
    0,
    0,
    0,
    0,
    3,
    ...extra,
    ...name,
    ...comment,
    0xaa,
    0xbb,
  ];
  const withFields = new Uint8Array([...header, ...gz.subarray(10)]);
  assert.deepEqual(gunzipAll(withFields).data, data);
});

Deno.test("GunzipReader warns about trailing garbage and keeps the data (gzip -d behaviour)", () => {
  const data = text(200);
  const out = gunzipAll(new Uint8Array([...gzipBytes(data), 0, 0, 7, 1]));
  assert.deepEqual(out.data, data);
  assert.equal(out.warnings.length, 1);
  assert.match(
    out.warnings[0],
    /trailing garbage after gzip data ignored \(at compressed byte \d+\)/,
  );
});

Deno.test("GunzipReader reports truncation, CRC and length mismatches as NiftiError", () => {
  const gz = gzipBytes(text(500));
  const fails = (bytes: Uint8Array, re: RegExp) =>
    assert.throws(
      () => gunzipAll(bytes),
      (e: unknown) => e instanceof NiftiError && re.test(e.message),
    );
  fails(gz.subarray(0, gz.length - 1), /truncated gzip stream/);
  fails(gz.subarray(0, 15), /truncated gzip stream/);
  fails(gz.subarray(0, 5), /truncated gzip stream/);
  const crc = gz.slice();
  crc[gz.length - 8] ^= 1;
  fails(crc, /CRC-32 mismatch/);
  const len = gz.slice();
  len[gz.length - 4] ^= 1;
  fails(len, /length mismatch/);
  const method = gz.slice();
  method[2] = 7;
  fails(method, /unsupported gzip compression method 7/);
  const corrupt = gz.slice();
  corrupt.fill(0xff, 12, 30);
  fails(corrupt, /corrupt gzip data|truncated/);
});
