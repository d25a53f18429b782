/** readNpy against files numpy itself writes (Debian /usr/bin/python3 `np.save`). */
import assert from "node:assert/strict";
import { readNpy } from "../../src/npy/npy_read.ts";
import { HAVE_SCIPY } from "../volume/_scipy.ts";

Deno.test({
  name: "readNpy decodes numpy's C and Fortran order, big-endian and bool arrays with their shape",
  ignore: !HAVE_SCIPY,
  fn: () => {
    const dir = Deno.makeTempDirSync();
    try {
      const code = "import sys, numpy as np\nd = sys.argv[1]\n" +
        "a = np.arange(24).reshape(2, 3, 4)\n" +
        "np.save(d + '/c.npy', a.astype('<i2'))\n" +
        "np.save(d + '/f.npy', np.asfortranarray(a.astype('<f4') / 4))\n" +
        "np.save(d + '/b.npy', a.astype('>f8') - 7)\n" +
        "np.save(d + '/m.npy', a % 3 == 0)\n";
      const r = new Deno.Command("/usr/bin/python3", { args: ["-c", code, dir] }).outputSync();
      assert.ok(r.success, new TextDecoder().decode(r.stderr));
      const read = (n: string) => readNpy(Deno.readFileSync(`${dir}/${n}.npy`), n);
      // value of element (i, j, k) of the (2, 3, 4) array = 12 i + 4 j + k
      const c = read("c");
      assert.equal(c.dtype, "int16");
      assert.deepEqual(c.shape, [2, 3, 4]);
      assert.equal(c.fortranOrder, false);
      assert.deepEqual([...c.data], Array.from({ length: 24 }, (_, n) => n));
      const f = read("f");
      assert.equal(f.dtype, "float32");
      assert.equal(f.fortranOrder, true);
      // Fortran order: first axis fastest → element n = (i, j, k) with n = i + 2 j + 6 k
      for (let n = 0; n < 24; n++) {
        const i = n % 2, j = Math.floor(n / 2) % 3, k = Math.floor(n / 6);
        assert.equal(f.data[n], (12 * i + 4 * j + k) / 4);
      }
      const b = read("b");
      assert.equal(b.dtype, "float64");
      assert.deepEqual([...b.data], Array.from({ length: 24 }, (_, n) => n - 7));
      const m = read("m");
      assert.equal(m.dtype, "uint8");
      assert.deepEqual([...m.data], Array.from({ length: 24 }, (_, n) => (n % 3 === 0 ? 1 : 0)));
      assert.throws(
        () => readNpy(new Uint8Array(20), "x.npy"),
        /Cannot read "x.npy": not a .npy file/,
      );
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});
