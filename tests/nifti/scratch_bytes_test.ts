/**
 * Scratch buffers lent to streams (issue 15.3c): reused after they are given back, never lent
 * to two holders at once, and a stream's first-read buffer is given back exactly once.
 */
import assert from "node:assert/strict";
import { borrowBytes, giveBackBytes } from "../../src/nifti/scratch_bytes.ts";
import { openByteStream } from "../../src/nifti/byte_stream.ts";

Deno.test("borrowBytes reuses what was given back, once, and never lends a buffer twice", () => {
  const size = 12_345;
  const a = borrowBytes(size);
  assert.equal(a.length, size);
  giveBackBytes(a);
  giveBackBytes(a); // given back twice by mistake
  const b = borrowBytes(size), c = borrowBytes(size);
  assert.equal(b, a);
  assert.notEqual(c, a);
  giveBackBytes(b);
  giveBackBytes(c);
});

Deno.test("streams over large files each hold their own first-read buffer until closed", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const files = [0, 1, 2].map((k) => {
      const bytes = new Uint8Array(200_000).map((_, i) => (i * 13 + k * 101) & 0xff);
      Deno.writeFileSync(`${dir}/f${k}.bin`, bytes);
      return { path: `${dir}/f${k}.bin`, bytes };
    });
    const check = (s: ReturnType<typeof openByteStream>, bytes: Uint8Array, from: number) => {
      const out = new Uint8Array(70_000);
      assert.equal(s.read(out), out.length);
      assert.ok(out.every((v, i) => v === bytes[from + i]));
    };
    const s0 = openByteStream(files[0].path);
    const s1 = openByteStream(files[1].path);
    check(s0, files[0].bytes, 0);
    s0.close();
    // s1 still replays its first 64 KiB: two new streams must not get its buffer (or each other's).
    const s2 = openByteStream(files[2].path);
    const s3 = openByteStream(files[0].path);
    check(s2, files[2].bytes, 0);
    check(s3, files[0].bytes, 0);
    check(s1, files[1].bytes, 0);
    for (const s of [s1, s2, s3]) s.close();
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
