import assert from "node:assert/strict";
import { clip } from "../../src/steps/intensity/clip.ts";
import { normalize } from "../../src/steps/intensity/normalize.ts";
import { resampleToSpacing } from "../../src/steps/spatial/resample_to_spacing.ts";
import {
  collectContribution,
  DatasetAccumulator,
  type DatasetStats,
  targetSpacing,
} from "../../src/steps/dataset_stats.ts";
import { RecipeError } from "../../src/errors.ts";
import { validateRecipe } from "../../src/recipe/validate.ts";
import type { Subject } from "../../src/steps/step.ts";
import { itemOf, makeContext, makeSubject, makeVolume } from "../_volumes.ts";
import { HAVE_SCIPY, runScipy } from "../volume/_scipy.ts";

/** Three subjects of unequal shapes: int16 CT-like image, a label, a float32 MR-like t2. */
function subjects(): Subject[] {
  const shapes: [number, number, number][] = [[5, 6, 7], [7, 4, 5], [6, 6, 3]];
  return shapes.map((shape, s) => {
    const image = makeVolume({
      shape,
      dtype: "int16",
      fn: (i, j, k) => ((i * 37 + j * 101 + k * 13 + s * 7) % 211) - 60,
    });
    const t2 = makeVolume({
      shape,
      dtype: "float32",
      fn: (i, j, k) => Math.sin(i * 1.3 + j * 0.7 + k * 0.31 + s) * 100 + 200 + s,
    });
    const label = makeVolume({
      shape,
      dtype: "uint8",
      fn: (i, j, k) => ((i + j + k + s) % 3 === 0 ? 1 : 0),
    });
    return { ...makeSubject({ image, t2, label }), id: `s${s}` };
  });
}

function accumulate(need: Parameters<typeof collectContribution>[1]): DatasetStats {
  const acc = new DatasetAccumulator();
  for (const s of subjects()) acc.add(s.id, collectContribution(s, need));
  return acc.finalize(need);
}

const valuesOf = (s: Subject, role: string) => Array.from(itemOf(s, role).volume.data, Number);

Deno.test({
  name:
    "normalize over: dataset, mask: label z-scores with the pooled foreground mean/std, clipped first (numpy)",
  ignore: !HAVE_SCIPY,
  async fn() {
    const params = normalize.params.parse({
      method: "zscore",
      over: "dataset",
      mask: "label",
      clipPercentiles: [0.5, 99.5],
    });
    const need = normalize.dataset!(params)!;
    const dataset = accumulate(need);
    const all = subjects();
    const want = await runScipy(
      `
fg = np.concatenate([np.array(s["image"], np.float64)[np.array(s["label"]) > 0] for s in inp["subjects"]])
lo, hi = np.percentile(fg, [0.5, 99.5])
mean, std = fg.mean(), fg.std()
out = {"mean": float(mean), "std": float(std), "lo": float(lo), "hi": float(hi),
       "mapped": [((np.clip(np.array(s["image"], np.float64), lo, hi) - mean) / std).astype(np.float32).tolist() for s in inp["subjects"]]}
`,
      { subjects: all.map((s) => ({ image: valuesOf(s, "image"), label: valuesOf(s, "label") })) },
    ) as { mean: number; std: number; lo: number; hi: number; mapped: number[][] };
    const fg = dataset.roles!.image[0];
    assert.equal(fg.percentiles["0.5"], want.lo);
    assert.equal(fg.percentiles["99.5"], want.hi);
    assert.ok(Math.abs(fg.mean! - want.mean) <= 1e-13 * Math.abs(want.mean));
    assert.ok(Math.abs(fg.std! - want.std) <= 1e-13 * want.std);
    all.forEach((s, k) => {
      const out = normalize.apply(s, params, { ...makeContext(), dataset });
      const got = Array.from(itemOf(out.subject, "image").volume.data, Number);
      got.forEach((v, i) =>
        assert.ok(
          Math.abs(v - want.mapped[k][i]) <= 2e-7 * Math.max(1, Math.abs(v)),
          `s${k}[${i}]: ${v} vs ${want.mapped[k][i]}`,
        )
      );
      assert.equal(itemOf(out.subject, "label"), itemOf(s, "label"));
    });
  },
});

Deno.test({
  name:
    "clip over: dataset uses the pooled percentiles of every subject (numpy), float data within 1e-4 rank",
  ignore: !HAVE_SCIPY,
  async fn() {
    const params = clip.params.parse({ percentiles: [2, 98], over: "dataset" });
    const dataset = accumulate(clip.dataset!(params)!);
    const all = subjects();
    const want = await runScipy(
      `
out = {}
for role in ("image", "t2"):
    pooled = np.concatenate([np.array(s[role], np.float64) for s in inp["subjects"]])
    srt = np.sort(pooled)
    p = np.percentile(pooled, [2, 98])
    out[role] = {"p": [float(x) for x in p], "n": int(pooled.size)}
    got = inp["got"][role]
    rank = lambda v: (np.searchsorted(srt, v, "left") + np.searchsorted(srt, v, "right")) / 2.0
    out[role]["err"] = [float(abs(rank(g) - rank(w)) / pooled.size) for g, w in zip(got, p)]
`,
      {
        subjects: all.map((s) => ({ image: valuesOf(s, "image"), t2: valuesOf(s, "t2") })),
        got: {
          image: [
            dataset.roles!.image[0].percentiles["2"],
            dataset.roles!.image[0].percentiles["98"],
          ],
          t2: [dataset.roles!.t2[0].percentiles["2"], dataset.roles!.t2[0].percentiles["98"]],
        },
      },
    ) as Record<string, { p: number[]; n: number; err: number[] }>;
    assert.equal(dataset.roles!.image[0].exact, true);
    assert.deepEqual([
      dataset.roles!.image[0].percentiles["2"],
      dataset.roles!.image[0].percentiles["98"],
    ], want.image.p);
    assert.equal(dataset.roles!.t2[0].exact, false);
    for (const e of want.t2.err) assert.ok(e <= 1e-4, `t2 rank error ${e}`);
    const out = clip.apply(all[1], params, { ...makeContext(), dataset });
    const got = Array.from(itemOf(out.subject, "image").volume.data, Number);
    valuesOf(all[1], "image").forEach((v, i) =>
      assert.equal(got[i], Math.min(Math.max(v, want.image.p[0]), want.image.p[1]))
    );
    assert.deepEqual(out.record?.over, "dataset");
  },
});

Deno.test({
  name:
    "normalize method: histogram equals TorchIO's HistogramStandardization (train + normalize in numpy)",
  ignore: !HAVE_SCIPY,
  async fn() {
    const params = normalize.params.parse({ method: "histogram" });
    const need = normalize.dataset!(params)!;
    const dataset = accumulate(need);
    const all = subjects();
    const outs = all.map((s) =>
      Array.from(
        itemOf(normalize.apply(s, params, { ...makeContext(), dataset }).subject, "t2").volume.data,
        Number,
      )
    );
    // TorchIO 0.19 histogram_standardization.py, train() and normalize(), verbatim in numpy.
    const want = await runScipy(
      `
def _get_percentiles(percentiles_cutoff):
    quartiles = np.arange(25, 100, 25).tolist()
    deciles = np.arange(10, 100, 10).tolist()
    all_percentiles = list(percentiles_cutoff) + quartiles + deciles
    percentiles = sorted(set(all_percentiles))
    return np.array(percentiles)
def _get_average_mapping(percentiles_database):
    pc1 = percentiles_database[:, 0]
    pc2 = percentiles_database[:, -1]
    s1, s2 = 0, 100
    slopes = (s2 - s1) / (pc2 - pc1)
    slopes = np.nan_to_num(slopes)
    intercepts = np.mean(s1 - slopes * pc1)
    num_images = len(percentiles_database)
    final_map = slopes.dot(percentiles_database) / num_images + intercepts
    return final_map
percentiles = _get_percentiles(100 * np.array((0.01, 0.99)))
db = np.vstack([np.percentile(np.array(s, np.float32), percentiles) for s in inp["t2"]])
mapping = _get_average_mapping(db)
def normalize(data, mapping, epsilon=1e-5):
    data = data.reshape(-1).astype(np.float32)
    mask = np.ones_like(data, bool)
    range_to_use = [0, 1, 2, 4, 5, 6, 7, 8, 10, 11, 12]
    percentile_values = np.percentile(data[mask], percentiles)
    range_mapping = mapping[range_to_use]
    range_perc = percentile_values[range_to_use]
    diff_mapping = np.diff(range_mapping)
    diff_perc = np.diff(range_perc)
    diff_perc[diff_perc < epsilon] = np.inf
    affine_map = np.zeros([2, len(range_to_use) - 1])
    affine_map[0] = diff_mapping / diff_perc
    affine_map[1] = range_mapping[:-1] - affine_map[0] * range_perc[:-1]
    bin_id = np.digitize(data, range_perc[1:-1], right=False)
    lin_img = affine_map[0, bin_id]
    aff_img = affine_map[1, bin_id]
    new_img = lin_img * data + aff_img
    return new_img.astype(np.float32)
out = {"mapping": mapping.tolist(), "out": [normalize(np.array(s), mapping).tolist() for s in inp["t2"]]}
`,
      { t2: all.map((s) => valuesOf(s, "t2")) },
    ) as { mapping: number[]; out: number[][] };
    const landmarks = dataset.roles!.t2[0].landmarks!;
    landmarks.forEach((v, i) =>
      assert.ok(
        Math.abs(v - want.mapping[i]) <= 1e-12 * Math.max(1, Math.abs(v)),
        `landmark ${i}: ${v} vs ${want.mapping[i]}`,
      )
    );
    outs.forEach((o, k) =>
      o.forEach((v, i) =>
        assert.ok(
          Math.abs(v - want.out[k][i]) <= 1e-5 * Math.max(1, Math.abs(v)),
          `s${k}[${i}]: ${v} vs ${want.out[k][i]}`,
        )
      )
    );
  },
});

Deno.test({
  name:
    "targetSpacing: median per axis and nnU-Net's anisotropy rule (including its +1e-5 floor) equal nnU-Net's code in numpy",
  ignore: !HAVE_SCIPY,
  async fn() {
    const cases = [
      // anisotropic: z takes the 10th percentile
      [[0.8, 0.8, 5], [0.7, 0.7, 3.5], [0.9, 0.9, 5], [0.75, 0.75, 4], [0.8, 0.8, 2.6]],
      // 10th percentile below the other axes: raised to max(others) + 1e-5
      [[0.8, 0.8, 5], [0.7, 0.7, 3.5], [0.9, 0.9, 5], [0.8, 0.8, 0.5], [0.8, 0.8, 0.6]],
      // isotropic-ish: the median
      [[1, 1.2, 1.5], [0.9, 1, 2], [1.1, 1.1, 1.4], [1, 1, 1]],
    ];
    const shapes = (n: number) => Array.from({ length: n }, (_, i) => [200 + i, 180, 40]);
    const want = await runScipy(
      `
def rule(spacings, sizes, anisotropy_threshold=3):
    target = np.percentile(np.vstack(spacings), 50, 0)
    target_size = np.percentile(np.vstack(sizes), 50, 0)
    worst_spacing_axis = np.argmax(target)
    other_axes = [i for i in range(len(target)) if i != worst_spacing_axis]
    other_spacings = [target[i] for i in other_axes]
    other_sizes = [target_size[i] for i in other_axes]
    has_aniso_spacing = target[worst_spacing_axis] > (anisotropy_threshold * max(other_spacings))
    has_aniso_voxels = target_size[worst_spacing_axis] * anisotropy_threshold < min(other_sizes)
    if has_aniso_spacing and has_aniso_voxels:
        spacings_of_that_axis = np.vstack(spacings)[:, worst_spacing_axis]
        target_spacing_of_that_axis = np.percentile(spacings_of_that_axis, 10)
        if target_spacing_of_that_axis < max(other_spacings):
            target_spacing_of_that_axis = max(max(other_spacings), target_spacing_of_that_axis) + 1e-5
        target[worst_spacing_axis] = target_spacing_of_that_axis
    return target
out = [[float(x) for x in rule(c, s)] for c, s in zip(inp["cases"], inp["shapes"])]
`,
      { cases, shapes: cases.map((c) => shapes(c.length)) },
    ) as number[][];
    cases.forEach((c, k) => {
      const r = targetSpacing(
        c.map((spacing, i) => ({ spacing, shape: shapes(c.length)[i] })),
        "nnunet",
      );
      assert.deepEqual(r.target, want[k], `case ${k}`);
      assert.equal(r.anisotropic, k < 2);
    });
  },
});

Deno.test("dataset steps without their statistics fail with what they need; validation explains the rules", () => {
  const [s] = subjects();
  const params = normalize.params.parse({ method: "zscore", over: "dataset" });
  assert.throws(
    () => normalize.apply(s, params, makeContext()),
    /needs dataset statistics: .*statistics pass/,
  );
  const rs = resampleToSpacing.params.parse({ spacing: "median" });
  assert.throws(() => resampleToSpacing.apply(s, rs, makeContext()), /needs dataset statistics/);
  const issues = (text: string) => {
    try {
      validateRecipe(text, "r.yaml");
      return "";
    } catch (e) {
      return (e as RecipeError).issues.map((i) => i.message).join("\n");
    }
  };
  const head = "version: 1\nsteps:\n  - step: load\n";
  const tail = '  - step: save\n    name: "{id}_{role}_{copy}.nii.gz"\n';
  assert.match(
    issues(`${head}  - step: clip\n    min: 0\n    over: dataset\n${tail}`),
    /over: dataset pools percentiles/,
  );
  assert.equal(
    issues(
      `${head}  - step: clip\n    percentiles: [1, 99]\n    mask: label\n    over: dataset\n${tail}`,
    ),
    "",
  );
  assert.match(
    issues(
      `${head}  - step: resample-to-spacing\n    spacing: [1, 1, 1]\n    anisotropy: nnunet\n${tail}`,
    ),
    /anisotropy applies to spacing: median/,
  );
  assert.match(
    issues(
      `${head}  - step: augment\n    copies: 2\n    transforms:\n      - flip: { axes: [0] }\n  - step: normalize\n    method: zscore\n    over: dataset\n${tail}`,
    ),
    /Cannot take dataset statistics after steps\[1\] makes augmentation copies/,
  );
  assert.equal(
    issues(
      `${head}  - step: normalize\n    method: zscore\n    over: dataset\n    mask: label\n${tail}`,
    ),
    "",
  );
});
