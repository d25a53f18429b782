import assert from "node:assert/strict";
import zlib from "node:zlib";
import { crc32 } from "../../src/npy/crc32.ts";
import { encodeNpy } from "../../src/npy/npy.ts";
import { encodeZip } from "../../src/npy/zip.ts";
import { HAVE_NUMPY, runPython } from "./_numpy.ts";

Deno.test("crc32 matches the standard check value and node:zlib's crc32", () => {
  assert.equal(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
  const bytes = Uint8Array.from({ length: 10000 }, (_, i) => (i * 7919) % 251);
  const zcrc = (zlib as unknown as { crc32(d: Uint8Array): number }).crc32(bytes);
  assert.equal(crc32(bytes), zcrc >>> 0);
  assert.equal(crc32(bytes.subarray(5000), crc32(bytes.subarray(0, 5000))), zcrc >>> 0);
});

Deno.test("encodeZip is deterministic: the same members give the same bytes", () => {
  const members = [{ name: "a.npy", bytes: new Uint8Array([1, 2, 3, 4, 5, 5, 5, 5]) }];
  for (const level of [0, 6]) {
    assert.deepEqual(encodeZip(members, { level }), encodeZip(members, { level }));
  }
  assert.throws(() => encodeZip([...members, ...members]), /member "a\.npy" repeats/);
});

Deno.test({
  name:
    "encodeZip archives of .npy members load with numpy.load (stored and deflated) and pass zipfile's CRC test",
  ignore: !HAVE_NUMPY,
  async fn() {
    const dir = Deno.makeTempDirSync({ prefix: "medprep-npz-" });
    try {
      const image = new Float32Array(2 * 3 * 4).map((_, i) => i * 0.5 - 3);
      const label = new Uint8Array(2 * 3 * 4).map((_, i) => i % 3);
      const members = [
        {
          name: "image.npy",
          bytes: encodeNpy({ dtype: "float32", shape: [2, 3, 4], data: image }),
        },
        { name: "label.npy", bytes: encodeNpy({ dtype: "uint8", shape: [2, 3, 4], data: label }) },
      ];
      const files = [0, 1, 9].map((level) => {
        const file = `${dir}/x${level}.npz`;
        Deno.writeFileSync(file, encodeZip(members, { level }));
        return file;
      });
      const got = await runPython(
        `import zipfile\nout = []\nfor f in inp:\n    z = np.load(f)\n` +
          `    out.append([sorted(z.files), z["image"].tolist(), z["label"].tolist(), str(z["label"].dtype),` +
          ` zipfile.ZipFile(f).testzip(), [i.compress_type for i in zipfile.ZipFile(f).infolist()], list(zipfile.ZipFile(f).infolist()[0].date_time)])`,
        files,
      ) as unknown[][];
      const nested = (a: ArrayLike<number>) =>
        [0, 1].map((i) => [0, 1, 2].map((j) => [0, 1, 2, 3].map((k) => a[i * 12 + j * 4 + k])));
      for (const [n, g] of got.entries()) {
        assert.deepEqual(g[0], ["image", "label"]);
        assert.deepEqual(g[1], nested(image));
        assert.deepEqual(g[2], nested(label));
        assert.equal(g[3], "uint8");
        assert.equal(g[4], null, "testzip: no member with a bad CRC");
        assert.deepEqual(g[5], n === 0 ? [0, 0] : [8, 8]);
        assert.deepEqual(g[6], [1980, 1, 1, 0, 0, 0]);
      }
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});
