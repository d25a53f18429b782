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

Deno.test("GunzipReader reuses this thread's inflate handle: after a reader stopped early, an error or a clean end, the next member decodes exactly (issue 15.3c)", () => {
  // Pseudo-random bytes of many sizes (stored, fixed and dynamic blocks), compressed by zlib.
  let x = 7;
  const sample = (n: number) =>
    new Uint8Array(n).map((_, i) => {
      x = (x * 1103515245 + 12345) & 0x7fffffff;
      return i % 3 === 0 ? x & 0xff : (i * 31) & 0x3f;
    });
  const inputs = [0, 1, 348, 540, 4096, 70_000, 300_000].map(sample);
  const corrupt = gzipBytes(sample(50_000), 6);
  corrupt[200] ^= 0xff;
  for (const [i, data] of inputs.entries()) {
    // A header-only read of another stream (stopped inside its member) before this one.
    const early = new GunzipReader("early.gz", memoryReader(gzipBytes(sample(100_000), 1)));
    early.read(new Uint8Array(348));
    early.close();
    // A stream that fails inside its deflate data (the handle reports an error).
    if (i % 2 === 0) {
      assert.throws(() => gunzipAll(corrupt), NiftiError);
    }
    const gz = i % 3 === 0 ? zlib.gzipSync(data, { level: 9 }) : gzipBytes(data, 1 + (i % 9));
    const got = gunzipAll(gz, 997);
    assert.equal(got.data.length, data.length);
    assert.ok(got.data.every((v, k) => v === data[k]), `input ${i}`);
    assert.deepEqual(got.warnings, []);
  }
  // Two readers open at once each get their own handle.
  const a = new GunzipReader("a.gz", memoryReader(gzipBytes(inputs[5], 6)));
  const b = new GunzipReader("b.gz", memoryReader(gzipBytes(inputs[6], 6)));
  const outA = new Uint8Array(inputs[5].length), outB = new Uint8Array(inputs[6].length);
  let filledA = 0, filledB = 0;
  while (filledA < outA.length || filledB < outB.length) {
    filledA += a.read(outA.subarray(filledA, Math.min(outA.length, filledA + 5000)));
    filledB += b.read(outB.subarray(filledB, Math.min(outB.length, filledB + 7000)));
  }
  a.close();
  b.close();
  assert.ok(outA.every((v, k) => v === inputs[5][k]));
  assert.ok(outB.every((v, k) => v === inputs[6][k]));
});
