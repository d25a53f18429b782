/**
 * Masks from roles (SPEC §4): clip percentiles and normalize zscore over the voxels where another
 * role is nonzero, and normalize's `outside: zero | normalize | keep`, checked against numpy
 * (Debian /usr/bin/python3: np.percentile 'linear', mean/std ddof 0 over the masked voxels).
 */
import assert from "node:assert/strict";
import { clip } from "../../../src/steps/intensity/clip.ts";
import { normalize } from "../../../src/steps/intensity/normalize.ts";
import { realValues } from "../../../src/volume/stats.ts";
import type { Volume } from "../../../src/volume/volume.ts";
import { HAVE_SCIPY, runScipy } from "../../volume/_scipy.ts";
import { itemOf, makeContext, makeSubject, makeVolume } from "../../_volumes.ts";

/** An int16 image with scaling and two frames, and a uint8 brain mask (one frame). */
function fixture() {
  const image = makeVolume({
    dtype: "int16",
    frames: 2,
    slope: 0.5,
    inter: -3,
    fn: (i, j, k, t) => ((i * 37 + j * 101 + k * 53 + t * 17) % 211) - 40,
  });
  const brainmask = makeVolume({
    dtype: "uint8",
    fn: (i, j, k) => ((i + 2 * j + k) % 3 === 0 ? 1 : 0),
  });
  return { image, brainmask };
}

const real = (v: Volume, t: number) => [...realValues(v, t)];

const numpy = (code: string, input: unknown) => runScipy(code, input) as Promise<number[][]>;

Deno.test({
  name:
    "clip with mask: <role> clips every voxel to the percentiles of the voxels where the role is nonzero (numpy)",
  ignore: !HAVE_SCIPY,
  fn: async () => {
    const { image, brainmask } = fixture();
    const subject = makeSubject({ image, brainmask }, { labels: ["brainmask"] });
    const p = clip.params.parse({ percentiles: [5, 95.5], mask: "brainmask" });
    const out = clip.apply(subject, p, makeContext());
    const mask = real(brainmask, 0);
    const frames = [0, 1].map((t) => real(image, t));
    const want = await numpy(
      "m = np.array(inp['mask']) != 0\nout = []\nfor f in inp['frames']:\n  v = np.array(f)\n  lo, hi = np.percentile(v[m], [5, 95.5])\n  out.append([float(lo), float(hi)] + np.clip(v, lo, hi).tolist())",
      { mask, frames },
    );
    const got = itemOf(out.subject, "image").volume;
    const rec = (out.record!.roles as Record<string, { frames: { min: number; max: number }[] }>)
      .image.frames;
    for (let t = 0; t < 2; t++) {
      assert.ok(Math.abs(rec[t].min - want[t][0]) < 1e-12, `frame ${t} lo`);
      assert.ok(Math.abs(rec[t].max - want[t][1]) < 1e-12, `frame ${t} hi`);
      // bounds not representable in int16 × 0.5 − 3: the result is float32 (½ ulp)
      const values = real(got, t);
      values.forEach((v, i) =>
        assert.ok(
          Math.abs(v - want[t][2 + i]) <= 6e-8 * Math.abs(want[t][2 + i]),
          `voxel ${i}: ${v} vs ${want[t][2 + i]} (${rec[t].min}, ${rec[t].max})`,
        )
      );
    }
    assert.equal(itemOf(out.subject, "brainmask").volume, brainmask);
    assert.deepEqual(clip.rolesUsed!(p), [{ path: ["mask"], role: "brainmask" }]);
  },
});

Deno.test({
  name:
    "normalize zscore with mask: <role> uses the masked mean/std (ddof 0) and outside zero | normalize | keep (numpy)",
  ignore: !HAVE_SCIPY,
  fn: async () => {
    const { image, brainmask } = fixture();
    const mask = real(brainmask, 0);
    const frames = [0, 1].map((t) => real(image, t));
    const want = await numpy(
      "m = np.array(inp['mask']) != 0\nout = []\nfor f in inp['frames']:\n  v = np.array(f)\n  mu, sd = v[m].mean(), v[m].std()\n  z = (v - mu) / sd\n  out.append([float(mu), float(sd)] + z.tolist() + np.where(m, z, 0).tolist() + np.where(m, z, v).tolist())",
      { mask, frames },
    );
    const n = mask.length;
    for (const outside of [undefined, "normalize", "zero", "keep"] as const) {
      const subject = makeSubject({ image, brainmask }, { labels: ["brainmask"] });
      const p = normalize.params.parse({ method: "zscore", mask: "brainmask", outside });
      const out = normalize.apply(subject, p, makeContext());
      const got = itemOf(out.subject, "image").volume;
      assert.equal(got.dtype, "float32");
      const effective = outside ?? "normalize"; // SPEC §4 default for a role mask
      assert.equal(out.record!.outside, effective);
      const offset = effective === "normalize" ? 2 : effective === "zero" ? 2 + n : 2 + 2 * n;
      const rec = (out.record!.roles as Record<string, { frames: { mean: number; std: number }[] }>)
        .image.frames;
      for (let t = 0; t < 2; t++) {
        assert.ok(Math.abs(rec[t].mean - want[t][0]) < 1e-12);
        assert.ok(Math.abs(rec[t].std - want[t][1]) < 1e-12);
        const values = real(got, t);
        values.forEach((v, i) => {
          const w = want[t][offset + i];
          assert.ok(
            Math.abs(v - w) <= 1e-6 * Math.max(1, Math.abs(w)),
            `${effective} voxel ${i}: ${v} vs ${w}`,
          );
        });
      }
    }
  },
});

Deno.test({
  name:
    "normalize zscore mask: nonzero, outside: normalize applies the nonzero statistics to every voxel (numpy)",
  ignore: !HAVE_SCIPY,
  fn: async () => {
    const image = makeVolume({
      dtype: "int16",
      fn: (i, j, k) => (i + j + k) % 4 === 0 ? 0 : i * 3 + j - k,
    });
    const values = real(image, 0);
    const [want] = await numpy(
      "v = np.array(inp)\nm = v != 0\nout = [((v - v[m].mean()) / v[m].std()).tolist()]",
      values,
    );
    const p = normalize.params.parse({ method: "zscore", mask: "nonzero", outside: "normalize" });
    const out = normalize.apply(makeSubject({ image }), p, makeContext());
    real(itemOf(out.subject, "image").volume, 0).forEach((v, i) =>
      assert.ok(Math.abs(v - want[i]) <= 1e-6 * Math.max(1, Math.abs(want[i])))
    );
    // default for nonzero stays zero outside (unchanged behaviour)
    const d = normalize.apply(
      makeSubject({ image }),
      normalize.params.parse({ method: "zscore", mask: "nonzero" }),
      makeContext(),
    );
    assert.equal(d.record!.outside, "zero");
    real(itemOf(d.subject, "image").volume, 0).forEach((v, i) => {
      if (values[i] === 0) assert.equal(v, 0);
    });
  },
});

Deno.test("normalize and clip with a mask role on another grid fail the subject naming both grids", () => {
  const { image } = fixture();
  const brainmask = makeVolume({ shape: [5, 6, 8], dtype: "uint8", fn: () => 1 });
  const subject = makeSubject({ image, brainmask }, { labels: ["brainmask"] });
  const re =
    /Cannot use role "brainmask" as the mask of role "image": they are not on one grid \(shapes differ \(5x6x7 vs 5x6x8\)\).*resample-to-reference/;
  assert.throws(
    () =>
      normalize.apply(
        subject,
        normalize.params.parse({ method: "zscore", mask: "brainmask" }),
        makeContext(),
      ),
    re,
  );
  assert.throws(
    () =>
      clip.apply(
        subject,
        clip.params.parse({ percentiles: [1, 99], mask: "brainmask" }),
        makeContext(),
      ),
    re,
  );
  assert.throws(
    () =>
      clip.apply(
        makeSubject({ image }),
        clip.params.parse({ percentiles: [1, 99], mask: "brain" }),
        makeContext(),
      ),
    /Cannot use role "brain" as a mask: the subject has no such role \(image\)/,
  );
});

Deno.test("normalize outside needs a mask; clip mask role only with percentiles", () => {
  assert.equal(normalize.params.safeParse({ method: "zscore", outside: "keep" }).success, false);
  assert.equal(clip.params.safeParse({ min: 0, max: 1, mask: "brainmask" }).success, false);
});
