import assert from "node:assert/strict";
import { PooledStats, ratioToNumber } from "../../src/volume/pooled_stats.ts";
import { HAVE_SCIPY, runScipy } from "./_scipy.ts";

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gauss(r: () => number) {
  return Math.sqrt(-2 * Math.log(r() + 1e-300)) * Math.cos(2 * Math.PI * r());
}

/** CT-like int16 volumes of unequal sizes with a foreground label. */
function ctLike(seed: number, len: number) {
  const r = rng(seed);
  const image = new Int16Array(len), label = new Uint8Array(len);
  for (let i = 0; i < len; i++) {
    const fg = r() < 0.3;
    label[i] = fg ? 1 + (i % 2) : 0;
    image[i] = fg
      ? Math.round(40 + 300 * gauss(r))
      : (r() < 0.8 ? -1024 : Math.round(-500 + 200 * gauss(r)));
  }
  return { image, label };
}

const QS = [0, 0.5, 1, 10, 25, 50, 75, 90, 99, 99.5, 100, 33.3];

const NUMPY_STATS = `
pooled = np.concatenate([np.array(v, dtype=np.float64) for v in inp["vols"]])
pooled = pooled[~np.isnan(pooled)]
out = {"n": int(pooled.size), "mean": float(pooled.mean()), "std": float(pooled.std()),
       "min": float(pooled.min()), "max": float(pooled.max()),
       "p": [float(x) for x in np.percentile(pooled, inp["qs"])]}
`;

const close = (a: number, b: number, rel: number, what: string) =>
  assert.ok(Math.abs(a - b) <= rel * Math.max(1, Math.abs(b)), `${what}: ${a} vs numpy ${b}`);

Deno.test({
  name:
    "PooledStats equals numpy on pooled integer voxels (percentiles exactly), in any merge grouping",
  ignore: !HAVE_SCIPY,
  async fn() {
    const vols = [ctLike(1, 5 * 6 * 7), ctLike(2, 9 * 4 * 11), ctLike(3, 13 * 12 * 3)];
    for (const maskKind of ["all", "nonzero", "label"] as const) {
      const selected = vols.map(({ image, label }) =>
        [...image].filter((v, i) =>
          maskKind === "all" ? true : maskKind === "nonzero" ? v !== 0 : label[i] !== 0
        )
      );
      const want = await runScipy(NUMPY_STATS, { vols: selected, qs: QS }) as {
        n: number;
        mean: number;
        std: number;
        min: number;
        max: number;
        p: number[];
      };
      const parts = vols.map(({ image, label }, k) => {
        const s = new PooledStats();
        const mask = maskKind === "all"
          ? undefined
          : maskKind === "nonzero"
          ? { nonzero: true }
          : { where: label };
        s.add(image, { mask, part: `s${k}` });
        return s;
      });
      const one = new PooledStats().merge(parts[0]).merge(parts[1]).merge(parts[2]);
      const other = new PooledStats().merge(parts[2]).merge(
        new PooledStats().merge(parts[1]).merge(parts[0]),
      );
      assert.deepEqual(other.toJSON(), one.toJSON());
      const sum = one.summary();
      assert.equal(sum.n, want.n);
      assert.equal(sum.exact, true);
      assert.equal(sum.min, want.min);
      assert.equal(sum.max, want.max);
      close(sum.mean, want.mean, 1e-13, `${maskKind} mean`);
      close(sum.std, want.std, 1e-13, `${maskKind} std`);
      assert.deepEqual(one.percentiles(QS), want.p, `${maskKind} percentiles`);
      const back = PooledStats.fromJSON(JSON.parse(JSON.stringify(one.toJSON())));
      assert.deepEqual(back.summary(), sum);
      assert.deepEqual(back.percentiles(QS), want.p);
    }
  },
});

Deno.test({
  name:
    "PooledStats on float data: mean/std equal numpy, percentiles within 1e-4 of the pooled rank",
  ignore: !HAVE_SCIPY,
  async fn() {
    const r = rng(7);
    const vols = [20000, 35000, 17000].map((len) => {
      const a = new Float32Array(len);
      for (let i = 0; i < len; i++) a[i] = i % 97 === 0 ? NaN : 100 + 25 * gauss(r);
      return a;
    });
    const parts = vols.map((v, k) => {
      const s = new PooledStats();
      s.add(v, { part: `subject-${k}` });
      return s;
    });
    const a = new PooledStats().merge(parts[0]).merge(parts[1]).merge(parts[2]);
    const b = new PooledStats().merge(parts[2]).merge(parts[0]).merge(parts[1]);
    assert.deepEqual(b.toJSON(), a.toJSON());
    assert.deepEqual(b.summary(), a.summary());
    const got = a.percentiles(QS);
    const want = await runScipy(
      NUMPY_STATS + `
srt = np.sort(pooled)
def rank(v):
    return (np.searchsorted(srt, v, "left") + np.searchsorted(srt, v, "right")) / 2.0
out["rankErr"] = [abs(rank(g) - rank(w)) / pooled.size for g, w in zip(inp["got"], out["p"])]
`,
      { vols: vols.map((v) => [...v].map((x) => (Number.isNaN(x) ? null : x))), qs: QS, got },
    ) as {
      n: number;
      mean: number;
      std: number;
      min: number;
      max: number;
      p: number[];
      rankErr: number[];
    };
    const sum = a.summary();
    assert.equal(sum.n, want.n);
    assert.equal(sum.exact, false);
    assert.equal(sum.min, want.min);
    assert.equal(sum.max, want.max);
    close(sum.mean, want.mean, 1e-12, "mean");
    close(sum.std, want.std, 1e-12, "std");
    for (const [i, e] of want.rankErr.entries()) assert.ok(e <= 1e-4, `q=${QS[i]} rank error ${e}`);
    assert.equal(got[0], want.min);
    assert.equal(got[QS.indexOf(100)], want.max);
  },
});

Deno.test("PooledStats switches to float mode when a fractional value arrives and keeps the integer counts", () => {
  const ints = new PooledStats();
  ints.add(new Int16Array([1, 2, 3, 4]), { part: "a" });
  const floats = new PooledStats();
  floats.add(new Float32Array([0.5, 1.5]), { part: "b" });
  const ab = new PooledStats().merge(ints).merge(floats);
  const ba = new PooledStats().merge(floats).merge(ints);
  assert.deepEqual(ab.toJSON(), ba.toJSON());
  const s = ab.summary();
  assert.equal(s.exact, false);
  assert.equal(s.n, 6);
  const values = [1, 2, 3, 4, 0.5, 1.5];
  const mean = values.reduce((x, y) => x + y) / 6;
  close(s.mean, mean, 1e-15, "mean");
  close(s.std, Math.sqrt(values.reduce((x, y) => x + (y - mean) ** 2, 0) / 6), 1e-15, "std");
  assert.deepEqual(ab.percentiles([0, 100]), [0.5, 4]);
  assert.throws(() => ab.merge(floats), /part "b" twice/);
});

Deno.test("PooledStats counts real values (slope/inter) and skips NaN; empty gives NaN", () => {
  const s = new PooledStats();
  s.add(new Int16Array([0, 1, 2, 3]), { slope: 2, inter: -1, mask: { nonzero: true }, part: "x" });
  assert.deepEqual(s.toJSON(), {
    kind: "integer",
    n: 4,
    min: -1,
    max: 5,
    values: [-1, 1, 3, 5],
    counts: [1, 1, 1, 1],
  });
  const e = new PooledStats();
  e.add(new Float32Array([NaN]), { part: "y" });
  assert.equal(e.count, 0);
  assert.ok(Number.isNaN(e.summary().mean));
  assert.ok(Number.isNaN(e.percentiles([50])[0]));
});

Deno.test("ratioToNumber rounds a big rational once to the nearest float64", () => {
  assert.equal(ratioToNumber(1n, 3n), 1 / 3);
  assert.equal(ratioToNumber(-2n, 3n), -2 / 3);
  assert.equal(ratioToNumber(10n ** 30n + 1n, 10n ** 10n), 1e20);
  assert.equal(ratioToNumber(2n ** 53n + 1n, 1n), 2 ** 53); // tie → even
  assert.equal(ratioToNumber(2n ** 53n + 3n, 1n), 2 ** 53 + 4);
  assert.equal(ratioToNumber(0n, 5n), 0);
});
