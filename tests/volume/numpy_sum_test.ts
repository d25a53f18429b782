import assert from "node:assert/strict";
import { NumpySum } from "../../src/volume/numpy_sum.ts";
import { deriveFrameStats } from "../../src/volume/stats.ts";
import { createVolume } from "../../src/volume/volume.ts";
import { HAVE_SCIPY, runScipy } from "./_scipy.ts";

/** Values near 3·10⁴ with noise: a naive running sum differs from numpy's in the last bits. */
function offsetValues(n: number): number[] {
  return Array.from({ length: n }, (_, i) => 30000 + 12 * Math.sin(i * 0.37) + (i % 13) / 7);
}

Deno.test("NumpySum of no values is 0, of a few values their plain sum", () => {
  assert.equal(new NumpySum().total(), 0);
  const s = new NumpySum();
  for (const v of [0.1, 0.2, 0.3]) s.add(v);
  assert.equal(s.total(), 0.1 + 0.2 + 0.3);
});

Deno.test(
  "NumpySum, deriveFrameStats: np.sum / np.mean / np.std bit for bit (7 to 10⁵ values)",
  { ignore: !HAVE_SCIPY },
  async () => {
    const lengths = [7, 8, 127, 128, 129, 1000, 8192, 8193, 43993, 100000];
    const inputs = lengths.map(offsetValues);
    const want = await runScipy(
      `a = [np.array(x, dtype=np.float64) for x in inp]
out = [[x.sum().hex(), x.mean().hex(), x.std().hex()] for x in a]`,
      inputs,
    ) as string[][];
    // Python's float.hex, for exact comparison.
    const hex = (x: number) => {
      const b = new DataView(new ArrayBuffer(8));
      b.setFloat64(0, x);
      return b.getBigUint64(0);
    };
    const fromHex = (h: string) => {
      const m = /^(-?)0x([01])\.([0-9a-f]+)p([+-]\d+)$/.exec(h)!;
      const mant = BigInt(`0x${m[2]}${m[3].padEnd(13, "0")}`);
      return (m[1] ? -1 : 1) * Number(mant) * 2 ** (Number(m[4]) - 52);
    };
    let naiveDiffers = 0;
    inputs.forEach((values, q) => {
      const s = new NumpySum();
      let naive = 0;
      for (const v of values) {
        s.add(v);
        naive += v;
      }
      const [sum, mean, std] = want[q].map(fromHex);
      assert.equal(hex(s.total()), hex(sum), `sum of ${values.length}`);
      if (naive !== sum) naiveDiffers++;
      const n = values.length;
      const volume = createVolume({
        shape: [n, 1, 1],
        data: Float64Array.from(values),
        affine: [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]],
      });
      const stats = deriveFrameStats(volume, 0);
      assert.equal(stats.mean, mean, `mean of ${n}`);
      assert.equal(stats.std, std, `std of ${n}`);
    });
    assert.ok(naiveDiffers > 0, "a naive sum differs from numpy's for some length (premise)");
  },
);
