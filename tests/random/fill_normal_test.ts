import assert from "node:assert/strict";
import { createRng, fillNormal } from "../../src/random/rng.ts";

Deno.test("fillNormal gives standard normal moments and tails", () => {
  const x = new Float64Array(2_000_000);
  fillNormal(12345, x);
  const n = x.length;
  let m = 0, s2 = 0, s4 = 0, over2 = 0, over3 = 0;
  for (const v of x) {
    m += v, s2 += v * v, s4 += v ** 4;
    if (Math.abs(v) > 2) over2++;
    if (Math.abs(v) > 3) over3++;
  }
  // bounds of about 5 standard errors
  assert.ok(Math.abs(m / n) < 5 / Math.sqrt(n), `mean ${m / n}`);
  assert.ok(Math.abs(s2 / n - 1) < 5 * Math.sqrt(2 / n), `variance ${s2 / n}`);
  assert.ok(Math.abs(s4 / n - 3) < 5 * Math.sqrt(96 / n), `fourth moment ${s4 / n}`);
  assert.ok(Math.abs(over2 / n - 0.0455003) < 5 * Math.sqrt(0.0455 / n), `P(|x|>2) ${over2 / n}`);
  assert.ok(Math.abs(over3 / n - 0.0026998) < 5 * Math.sqrt(0.0027 / n), `P(|x|>3) ${over3 / n}`);
});

Deno.test("fillNormal is a pure function of the seed and scales, shifts and accumulates", () => {
  const a = new Float64Array(1001), b = new Float32Array(1001), c = new Float32Array(1001).fill(5);
  fillNormal(7, a);
  fillNormal(7, b, { mean: 2, std: 3 });
  fillNormal(7, c, { accumulate: true });
  for (let i = 0; i < a.length; i++) {
    assert.equal(b[i], Math.fround(2 + 3 * a[i]));
    assert.equal(c[i], Math.fround(5 + a[i]));
  }
  const d = new Float64Array(1001);
  fillNormal(8, d);
  assert.notDeepEqual(a, d);
  assert.equal(typeof createRng(7).normal(), "number");
});
