import assert from "node:assert/strict";
import {
  encodeValue,
  float32Keeping,
  roundAndClamp,
  roundHalfAwayFromZero,
} from "../../src/volume/dtype.ts";

Deno.test("roundHalfAwayFromZero is exact just below a half", () => {
  assert.equal(roundHalfAwayFromZero(0.49999999999999994), 0); // floor(x + 0.5) gives 1
  assert.ok(roundHalfAwayFromZero(-0.49999999999999994) === 0);
  assert.deepEqual([2.5, -2.5, 1.5, -0.5, 3.2].map(roundHalfAwayFromZero), [3, -3, 2, -1, 3]);
});

Deno.test("roundAndClamp rounds by mode, clamps and maps NaN to 0", () => {
  assert.equal(roundAndClamp(-7.9, -5, 5, "truncate"), -5);
  assert.equal(roundAndClamp(4.99, -5, 5, "truncate"), 4);
  assert.equal(roundAndClamp(-0.7, -5, 5, "truncate"), 0);
  assert.ok(Object.is(roundAndClamp(-0.2, -5, 5, "nearest"), 0), "no −0");
  assert.equal(roundAndClamp(NaN, -5, 5, "nearest"), 0);
  assert.equal(encodeValue(300.5, "uint8"), 255);
  assert.equal(encodeValue(-1.5, "int8", "truncate"), -1);
  assert.equal(encodeValue(0.25, "float32"), 0.25);
});

Deno.test("float32Keeping stays on the side of every integer and half its value is on", () => {
  const cases = [
    12.5 - 1e-9, // fround would give 12.5: rounds up instead of down
    12.5 + 1e-9,
    -12.5 + 1e-9,
    -12.5 - 1e-9,
    1000 - 1e-10, // fround gives 1000: truncates to 1000 instead of 999
    -1000 + 1e-10,
    3e-50,
    -3e-50,
  ];
  for (const v of cases) {
    const f = float32Keeping(v);
    assert.equal(Math.fround(f), f, "a float32");
    for (const mode of ["nearest", "truncate"] as const) {
      assert.equal(roundAndClamp(f, -1e9, 1e9, mode), roundAndClamp(v, -1e9, 1e9, mode), `${v}`);
    }
    assert.ok(Math.abs(f - v) <= Math.abs(v) * 2 ** -23 + 1e-44, `${v}: 1 ulp at most`);
  }
  assert.equal(float32Keeping(2.5), 2.5);
  assert.equal(float32Keeping(0.1), Math.fround(0.1));
  assert.equal(float32Keeping(1e300), Infinity);
  assert.ok(Number.isNaN(float32Keeping(NaN)));
});
