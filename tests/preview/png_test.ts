import assert from "node:assert/strict";
import { crc32, encodePng } from "../../src/preview/png.ts";
import { checkPngInPython, HAVE_SCIPY } from "./_png_python.ts";

Deno.test("crc32 matches the check value of the CRC-32 standard", () => {
  // The standard check value of CRC-32/ISO-HDLC for "123456789".
  assert.equal(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
  assert.equal(crc32(new Uint8Array(0)), 0);
});

Deno.test("encodePng writes bytes python's zlib + numpy decode to the same pixels", {
  ignore: !HAVE_SCIPY,
}, async () => {
  const width = 7, height = 5;
  const rgb = new Uint8Array(width * height * 3);
  for (let n = 0; n < rgb.length; n++) rgb[n] = (n * 37 + 11) % 256;
  const png = encodePng(rgb, width, height);
  const path = await Deno.makeTempFile({ suffix: ".png" });
  try {
    await Deno.writeFile(path, png);
    const got = await checkPngInPython(
      path,
      "out = {'shape': list(img.shape), 'pixels': img.reshape(-1).tolist(), 'chunks': chunks}",
      {},
    ) as { shape: number[]; pixels: number[]; chunks: string[] };
    assert.deepEqual(got.shape, [height, width, 3]);
    assert.deepEqual(got.pixels, [...rgb]);
    assert.deepEqual(got.chunks, ["IHDR", "IDAT", "IEND"]);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("encodePng is deterministic and refuses a buffer of the wrong size", () => {
  const rgb = new Uint8Array(4 * 3 * 3).fill(200);
  assert.deepEqual(encodePng(rgb, 4, 3), encodePng(rgb.slice(), 4, 3));
  assert.throws(() => encodePng(rgb, 5, 3), /Cannot encode a 5×3 PNG from 36 bytes/);
});
