import assert from "node:assert/strict";
import { encodeNpy, encodeNpyHeader } from "../../src/npy/npy.ts";
import { readNpy } from "../../src/npy/npy_read.ts";
import { createVoxelArray, DTYPES } from "../../src/volume/dtype.ts";
import { HAVE_NUMPY, runPython } from "./_numpy.ts";

Deno.test("encodeNpyHeader pads the header so the data start at a multiple of 64", () => {
  for (const shape of [[3], [1, 5, 6, 7], [123456, 7, 8, 9], []]) {
    const h = encodeNpyHeader({ dtype: "float32", shape });
    assert.equal(h.length % 64, 0);
    assert.equal(h[h.length - 1], 0x0a);
    const text = new TextDecoder().decode(h.subarray(10));
    assert.match(text, /^\{'descr': '<f4', 'fortran_order': False, 'shape': \(.*\), \} *\n$/);
    assert.equal(new DataView(h.buffer).getUint16(8, true), h.length - 10);
  }
  assert.match(new TextDecoder().decode(encodeNpyHeader({ dtype: "uint8", shape: [3] })), /\(3,\)/);
});

Deno.test("encodeNpy rejects data that does not fill the shape", () => {
  assert.throws(
    () => encodeNpy({ dtype: "int16", shape: [2, 3], data: new Int16Array(5) }),
    /Cannot write \.npy of shape \(2, 3\): data has 5 elements/,
  );
});

Deno.test({
  name: "encodeNpy files load with numpy.load: every dtype, shape and value (C order)",
  ignore: !HAVE_NUMPY,
  async fn() {
    const dir = Deno.makeTempDirSync({ prefix: "medprep-npy-" });
    try {
      const cases = DTYPES.map((dtype, n) => {
        const shape = [[2, 3, 4], [1, 5, 6, 7], [7], [3, 1, 2, 5]][n % 4];
        const data = createVoxelArray(dtype, shape.reduce((a, b) => a * b, 1));
        const big = dtype === "int64" || dtype === "uint64";
        for (let i = 0; i < data.length; i++) {
          const v = dtype.startsWith("float")
            ? (i - 11) * 0.37
            : dtype.startsWith("u")
            ? (i * 37) % 200
            : ((i * 37) % 200) - 100;
          (data as unknown as (number | bigint)[])[i] = big ? BigInt(v) : v;
        }
        const file = `${dir}/${dtype}.npy`;
        Deno.writeFileSync(file, encodeNpy({ dtype, shape, data }));
        return { file, dtype, shape, values: Array.from(data as ArrayLike<number>, Number) };
      });
      const got = await runPython(
        `out = []\nfor c in inp:\n    a = np.load(c["file"])\n` +
          `    out.append([str(a.dtype), list(a.shape), a.flags["C_CONTIGUOUS"], a.ravel(order="C").astype(float).tolist()])`,
        cases,
      ) as [string, number[], boolean, number[]][];
      cases.forEach((c, n) => {
        const [dtype, shape, cOrder, values] = got[n];
        assert.equal(dtype, c.dtype);
        assert.deepEqual(shape, c.shape);
        assert.equal(cOrder, true);
        const want = c.dtype === "float32" ? c.values.map(Math.fround) : c.values;
        assert.deepEqual(values, want, c.dtype);
      });
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});

Deno.test("readNpy (restore's reader) reads back what encodeNpy writes", () => {
  const data = new Int16Array(2 * 3 * 4).map((_, i) => i * 7 - 40);
  const got = readNpy(encodeNpy({ dtype: "int16", shape: [2, 3, 4], data }), "x.npy");
  assert.equal(got.dtype, "int16");
  assert.deepEqual(got.shape, [2, 3, 4]);
  assert.equal(got.fortranOrder, false);
  assert.deepEqual(Array.from(got.data as Int16Array), Array.from(data));
});
