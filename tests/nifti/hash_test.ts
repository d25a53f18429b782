import assert from "node:assert/strict";
import { sha256Bytes, sha256File, sha256FileSync } from "../../src/nifti/hash.ts";

Deno.test("sha256Bytes gives the standard digests", () => {
  assert.equal(sha256Bytes(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  assert.equal(
    sha256Bytes(new TextEncoder().encode("abc")),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
});

Deno.test("sha256File and sha256FileSync stream files larger than one chunk", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "medprep-hash-" });
  try {
    const bytes = new Uint8Array(3 * (1 << 20) + 17).map((_, i) => (i * 31) & 0xff);
    Deno.writeFileSync(`${dir}/f`, bytes);
    const expected = sha256Bytes(bytes);
    assert.equal(await sha256File(`${dir}/f`), expected);
    assert.equal(sha256FileSync(`${dir}/f`), expected);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
