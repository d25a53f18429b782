/**
 * SPEC §2 "values between steps are real numbers": whole runs (real NIfTI files, the real
 * runner) compared with the float pipeline users come from — nibabel `get_fdata()` →
 * scipy.ndimage in float64 → numpy — on the same input files (issue #11.1).
 */
import assert from "node:assert/strict";
import { runBatch } from "../../src/runner/batch.ts";
import { writeNiftiSync } from "../../src/nifti/nifti_write.ts";
import type { DType } from "../../src/volume/dtype.ts";
import { makeVolume } from "../_volumes.ts";

const PYTHON = "/usr/bin/python3";

function probe(): boolean {
  try {
    return new Deno.Command(PYTHON, {
      args: ["-c", "import numpy, scipy.ndimage, nibabel"],
      stdout: "null",
      stderr: "null",
    }).outputSync().success;
  } catch {
    return false;
  }
}

const HAVE_PEERS = probe();
if (!HAVE_PEERS) {
  console.warn(`NOTICE: ${PYTHON} with nibabel + scipy not found; float pipeline tests skipped`);
}

/** A synthetic input: shape, stored type, stored values and optional scaling. */
interface ImageSpec {
  shape: [number, number, number];
  dtype: DType;
  fn: (i: number, j: number, k: number) => number;
  slope?: number;
  inter?: number;
}

/**
 * Runs `recipe` on one subject whose image is `volume` (and `t2`, when given), then `code` in
 * Python with `inp` = the input image, `a` (and `b`) = nibabel's get_fdata() of the input(s) and
 * `got` = that of the output; returns `out`.
 */
async function runAgainstPython(
  image: ImageSpec,
  recipe: string,
  code: string,
  t2?: ImageSpec,
): Promise<Record<string, number>> {
  const dir = await Deno.makeTempDir({ prefix: "medprep-float-values-" });
  try {
    writeNiftiSync(`${dir}/img.nii.gz`, makeVolume(image));
    if (t2) writeNiftiSync(`${dir}/t2.nii.gz`, makeVolume(t2));
    await Deno.writeTextFile(
      `${dir}/manifest.csv`,
      t2 ? "id,image,t2\ns1,img.nii.gz,t2.nii.gz\n" : "id,image\ns1,img.nii.gz\n",
    );
    await Deno.writeTextFile(`${dir}/recipe.yaml`, `version: 1\nname: f\nsteps:\n${recipe}`);
    const code0 = await runBatch({
      recipe: `${dir}/recipe.yaml`,
      manifest: `${dir}/manifest.csv`,
      out: `${dir}/out`,
      workers: 1,
      quiet: true,
      command: ["test"],
    });
    assert.equal(code0, 0, "run exit code");
    const script = [
      "import json, sys, numpy as np, nibabel as nib, scipy.ndimage as nd",
      `inp = nib.load("${dir}/img.nii.gz")`,
      "a = inp.get_fdata()",
      ...(t2 ? [`b = nib.load("${dir}/t2.nii.gz").get_fdata()`] : []),
      `img = nib.load("${dir}/out/s1_image.nii.gz")`,
      "got = img.get_fdata()",
      "dtype = str(img.get_data_dtype())",
      code,
      "print(json.dumps({k: float(v) for k, v in out.items()}))",
    ].join("\n");
    const o = await new Deno.Command(PYTHON, {
      args: ["-c", script],
      stdout: "piped",
      stderr: "piped",
    })
      .output();
    if (!o.success) throw new Error(new TextDecoder().decode(o.stderr));
    return JSON.parse(new TextDecoder().decode(o.stdout));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const opts = { ignore: !HAVE_PEERS };

Deno.test(
  "run: linear upsampling of a uint8 ramp saved as float32 equals scipy zoom (10, 12.5, 17.5, 22.5)",
  opts,
  async () => {
    const out = await runAgainstPython(
      { shape: [4, 3, 2], dtype: "uint8", fn: (i) => 10 * (i + 1) },
      `  - step: load
  - step: resample-to-size
    size: [8, null, null]
    interpolation: linear
    grid: center
  - step: save
    dtype: float32
`,
      `want = nd.zoom(a, (2, 1, 1), order=1, grid_mode=True, mode="nearest")
out = {"diff": np.abs(got - want).max(), "v1": got[1, 0, 0], "v2": got[2, 0, 0], "v3": got[3, 0, 0]}`,
    );
    assert.deepEqual([out.v1, out.v2, out.v3], [12.5, 17.5, 22.5]);
    assert.equal(out.diff, 0);
  },
);

Deno.test(
  "run: resample-to-size (corners, linear) of an int16 MR saved as float32 equals scipy zoom(order=1)",
  opts,
  async () => {
    const out = await runAgainstPython(
      {
        shape: [23, 19, 11],
        dtype: "int16",
        fn: (i, j, k) =>
          Math.round(
            2000 + 1500 * Math.sin(i * 0.7 + j * 0.3) * Math.cos(k * 0.9) +
              ((i * 131 + j * 71 + k * 37) % 97),
          ),
      },
      `  - step: load
  - step: resample-to-size
    size: [40, 33, 17]
    interpolation: linear
    grid: corners
  - step: save
    dtype: float32
`,
      `want = nd.zoom(a, [m / n for m, n in zip((40, 33, 17), a.shape)], order=1)
out = {"diff": np.abs(got - want).max(), "scale": np.abs(want).max(), "dtype_ok": dtype == "float32"}`,
    );
    assert.equal(out.dtype_ok, 1);
    // float32 storage of values up to ~4000: a few ulps (2.4e-4 each); today 0.49 (rounded).
    assert.ok(out.diff <= 2e-7 * out.scale * 8, `max |medprep − scipy| = ${out.diff}`);
  },
);

Deno.test(
  "run: zscore with mask nonzero after linear resampling normalizes boundary voxels as numpy does",
  opts,
  async () => {
    const out = await runAgainstPython(
      {
        shape: [17, 15, 9],
        dtype: "int16",
        // A blob fading to 1 at its border (as MR intensity does into the background).
        fn: (i, j, k) => {
          const d = Math.sqrt(((i - 8) / 7) ** 2 + ((j - 7) / 6) ** 2 + ((k - 4) / 4) ** 2);
          return d < 1 ? 1 + Math.round(80 * (1 - d)) + ((i * 7 + j * 13 + k * 3) % 5) : 0;
        },
      },
      `  - step: load
  - step: resample-to-size
    size: [37, 29, 20]
    interpolation: linear
  - step: normalize
    method: zscore
    mask: nonzero
  - step: save
`,
      `r = nd.zoom(a, [m / n for m, n in zip((37, 29, 20), a.shape)], order=1, grid_mode=True, mode="nearest")
m = r != 0
want = np.where(m, (r - r[m].mean()) / r[m].std(), 0)
edge = m & (np.abs(r) < 0.5)
out = {"diff": np.abs(got - want).max(), "edge": edge.sum(), "edge_min": want[edge].min(),
       "got_edge_max": got[edge].max(), "dtype_ok": dtype == "float32"}`,
    );
    assert.equal(out.dtype_ok, 1);
    assert.ok(out.edge > 50, `${out.edge} boundary voxels with |value| < 0.5 (test premise)`);
    assert.ok(out.edge_min < -1, `they z-score to ${out.edge_min}`);
    assert.ok(out.got_edge_max < -0.5, `medprep gives up to ${out.got_edge_max} there (today 0)`);
    assert.ok(out.diff < 1e-5, `max |medprep − numpy| = ${out.diff}`);
  },
);

Deno.test(
  "run: B-spline overshoot of full-range uint16 data is kept (float32) as scipy zoom(order=3, mirror)",
  opts,
  async () => {
    const out = await runAgainstPython(
      {
        shape: [12, 9, 7],
        dtype: "uint16",
        fn: (i, j, k) => ((i >> 2) + (j >> 2) + (k >> 1)) % 2 === 0 ? 65535 : 0,
      },
      `  - step: load
  - step: resample-to-size
    size: [31, 20, 15]
    interpolation: bspline
    grid: corners
  - step: save
    dtype: float32
`,
      `want = nd.zoom(a, [m / n for m, n in zip((31, 20, 15), a.shape)], order=3, mode="mirror")
out = {"diff": np.abs(got - want).max(), "want_max": want.max(), "want_min": want.min(),
       "got_max": got.max(), "got_min": got.min()}`,
    );
    assert.ok(out.want_max > 65535 + 1000, `scipy overshoots to ${out.want_max} (test premise)`);
    assert.ok(out.got_max > 65535 + 1000, `medprep keeps ${out.got_max}`);
    assert.ok(out.got_min < -1000, `medprep keeps ${out.got_min}`);
    // float32 output of values up to ~7e4: ulp 7.8e-3.
    assert.ok(out.diff < 0.05, `max |medprep − scipy| = ${out.diff}`);
  },
);

/**
 * An int16 MR-like image near 30000 (a narrow range far from 0): float32 holds its resampled
 * values to ±1e-3 only, which `zscore` (std ≈ 12) magnifies to ±1e-4 — 2000 float32 ulps of z.
 */
const OFFSET_MR = {
  shape: [26, 22, 18] as [number, number, number],
  dtype: "int16" as DType,
  fn: (i: number, j: number, k: number) =>
    30000 + Math.round(8 * Math.sin(i * 0.9 + j * 0.4) + ((i * 131 + j * 71 + k * 37) % 29) - 14),
};

/** load → resample-to-size (corners) → `middle` → save `dtype`. */
const offsetRecipe = (interpolation: string, middle: string, dtype: string) =>
  `  - step: load
  - step: resample-to-size
    size: [41, 37, 29]
    interpolation: ${interpolation}
    grid: corners
${middle}  - step: save
    dtype: ${dtype}
`;

/** numpy's float pipeline for offsetRecipe; `want` float64, `mism` = voxels ≠ want in got's type. */
const offsetPython = (order: number, middle: string) =>
  `r = nd.zoom(a, [m / n for m, n in zip((41, 37, 29), a.shape)], order=${order}, mode="mirror")
${middle}
cast = want.astype(img.get_data_dtype())
out = {"diff": np.abs(got - want).max(), "mism": int((np.asanyarray(img.dataobj) != cast).sum()),
       "n": want.size, "dtype_" + dtype: 1}`;

for (const dtype of ["float32", "float64"]) {
  Deno.test(
    `run: resample (linear) → zscore → save ${dtype} of an offset int16 MR equals numpy's float64 pipeline`,
    opts,
    async () => {
      const out = await runAgainstPython(
        OFFSET_MR,
        offsetRecipe("linear", "  - step: normalize\n    method: zscore\n", dtype),
        offsetPython(1, "want = (r - r.mean()) / r.std()"),
      );
      assert.equal(out[`dtype_${dtype}`], 1);
      // Only the order of float64 sums may differ from numpy's (1e-15 of z); today the
      // resampled values were held in float32 between the steps: 2e-4, every voxel.
      assert.ok(out.diff < 1e-6, `max |medprep − numpy| = ${out.diff}`);
      // float32: numpy's summation order (numpy_sum.ts) makes even the roundings equal.
      if (dtype === "float32") assert.equal(out.mism, 0, `${out.mism} voxels differ`);
    },
  );

  Deno.test(
    `run: resample (B-spline) → save ${dtype} of an offset int16 MR equals scipy's float64 values as ${dtype}`,
    opts,
    async () => {
      const out = await runAgainstPython(
        OFFSET_MR,
        offsetRecipe("bspline", "", dtype),
        offsetPython(3, "want = r"),
      );
      assert.equal(out[`dtype_${dtype}`], 1);
      // float64: 1e-3 today (float32 between the steps); the rest is the order of float64
      // operations. float32: the value numpy's astype gives, not its float32 neighbour
      // (float32Keeping, for integer outputs only): today ~1% of voxels.
      if (dtype === "float64") assert.ok(out.diff < 1e-6, `max |medprep − scipy| = ${out.diff}`);
      else {
        assert.ok(out.diff < 1e-3, `max |medprep − scipy| = ${out.diff}`);
        assert.ok(out.mism <= out.n / 10000, `${out.mism} of ${out.n} voxels differ`);
      }
    },
  );
}

/** OFFSET_MR stored with a scaling (real = raw · slope + inter). */
const scaledMR = (slope: number, inter: number): ImageSpec => ({ ...OFFSET_MR, slope, inter });

/** numpy's round half away from zero, then clamping into int16; `tie`: float64 exact halves. */
const ROUND16 = `rh = lambda x: np.clip(np.sign(x) * np.floor(np.abs(x) + 0.5), -32768, 32767)
tie = lambda x: np.abs(np.abs(x - np.trunc(x)) - 0.5) < 1e-9`;

Deno.test(
  "run: resample (linear) of a scaled int16 saved as explicit int16 rounds the real values as numpy",
  opts,
  async () => {
    const out = await runAgainstPython(
      scaledMR(0.7, -123.4),
      offsetRecipe("linear", "", "int16"),
      `${ROUND16}
r = nd.zoom(a, [m / n for m, n in zip((41, 37, 29), a.shape)], order=1)
raw = img.dataobj.get_unscaled()
out = {"mism": int(((raw != rh(r)) & ~tie(r)).sum()), "slope": float(img.dataobj.slope)}`,
    );
    assert.equal(out.slope, 1);
    // Before: float32Keeping kept the raw (scaled) units' rounding, not the real values'.
    assert.equal(out.mism, 0, `${out.mism} voxels off by one`);
  },
);

Deno.test(
  "run: resample → clip (fractional bounds) → save keep of a scaled int16 re-encodes as numpy",
  opts,
  async () => {
    const out = await runAgainstPython(
      scaledMR(0.37, 12.5),
      offsetRecipe("linear", "  - step: clip\n    min: 11107.3\n    max: 11114.9\n", "keep"),
      `${ROUND16}
r = (np.clip(nd.zoom(a, [m / n for m, n in zip((41, 37, 29), a.shape)], order=1), 11107.3, 11114.9) - inp.dataobj.inter) / inp.dataobj.slope
raw = img.dataobj.get_unscaled()
out = {"mism": int(((raw != rh(r)) & ~tie(r)).sum()), "slope": float(img.dataobj.slope)}`,
    );
    assert.ok(Math.abs(out.slope - 0.37) < 1e-7, `slope ${out.slope}`);
    assert.equal(out.mism, 0, `${out.mism} voxels off by one`);
  },
);

Deno.test(
  "run: resample of a scaled int16 saved as explicit float32 stores the real values (slope 1)",
  opts,
  async () => {
    const out = await runAgainstPython(
      scaledMR(0.7, -123.4),
      offsetRecipe("bspline", "", "float32"),
      `r = nd.zoom(a, [m / n for m, n in zip((41, 37, 29), a.shape)], order=3, mode="mirror")
s = img.dataobj.slope
out = {"mism": int((np.asanyarray(img.dataobj.get_unscaled()) != r.astype(np.float32)).sum()),
       "unscaled": int((s != s or s == 1) and img.dataobj.inter == 0), "n": r.size}`,
    );
    // Before: the input's slope/inter with float32 raw values (get_fdata 1 ulp off everywhere).
    assert.equal(out.unscaled, 1);
    assert.ok(out.mism <= out.n / 10000, `${out.mism} of ${out.n} voxels differ`);
  },
);

Deno.test(
  "run: resample → stack of int16 and uint8 roles → save auto is numpy's float32 of the float64 values",
  opts,
  async () => {
    const t2: ImageSpec = {
      shape: OFFSET_MR.shape,
      dtype: "uint8",
      fn: (i, j, k) => 100 + ((i * 7 + j * 11 + k * 5) % 41),
    };
    const out = await runAgainstPython(
      OFFSET_MR,
      offsetRecipe("linear", "  - step: stack\n    roles: [image, t2]\n    into: image\n", "auto"),
      `z = lambda v: nd.zoom(v, [m / n for m, n in zip((41, 37, 29), v.shape)], order=1)
want = np.stack([z(a), z(b)], axis=-1).astype(np.float32)
got32 = np.asanyarray(img.dataobj).reshape(want.shape)
out = {"mism": int((got32 != want).sum()), "f32": int(dtype == "float32")}`,
      t2,
    );
    assert.equal(out.f32, 1);
    // Before: the values were kept for an int16 save (float32Keeping), 1 ulp off in ~0.2%.
    assert.equal(out.mism, 0, `${out.mism} voxels differ`);
  },
);

Deno.test(
  "run: resample → crop-or-pad with a fractional fill → save auto is float32 with that fill",
  opts,
  async () => {
    const out = await runAgainstPython(
      OFFSET_MR,
      offsetRecipe(
        "linear",
        "  - step: crop-or-pad\n    size: [45, 37, 29]\n    fill: 0.25\n",
        "auto",
      ),
      `out = {"f32": int(dtype == "float32"), "pad": float(got[0, 0, 0]), "pad2": float(got[-1, 0, 0])}`,
    );
    // Before: int16, the padding rounded to 0 (without the resample: float32 and 0.25).
    assert.equal(out.f32, 1);
    assert.deepEqual([out.pad, out.pad2], [0.25, 0.25]);
  },
);

Deno.test(
  "run: resample → crop-or-pad with the default fill (the minimum) → save auto keeps int16, rounded as numpy",
  opts,
  async () => {
    const out = await runAgainstPython(
      OFFSET_MR,
      offsetRecipe("bspline", "  - step: crop-or-pad\n    size: [45, 37, 29]\n", "auto"),
      `${ROUND16}
r = nd.zoom(a, [m / n for m, n in zip((41, 37, 29), a.shape)], order=3, mode="mirror")
want = np.pad(r, ((2, 2), (0, 0), (0, 0)), constant_values=r.min())
raw = img.dataobj.get_unscaled()
out = {"i16": int(dtype == "int16"), "mism": int(((raw != rh(want)) & ~tie(want)).sum())}`,
    );
    // The padding is one of the values: they stay of the input's kind (an audit of the first
    // fix saw float32 here, 1 ulp off in 0.3% of voxels).
    assert.equal(out.i16, 1);
    assert.equal(out.mism, 0, `${out.mism} voxels differ`);
  },
);

Deno.test(
  "run: resample → crop-or-pad with a whole fill the input type cannot hold → save auto is numpy's float32",
  opts,
  async () => {
    const out = await runAgainstPython(
      OFFSET_MR,
      offsetRecipe(
        "bspline",
        "  - step: crop-or-pad\n    size: [45, 37, 29]\n    fill: 40000\n",
        "auto",
      ),
      `r = nd.zoom(a, [m / n for m, n in zip((41, 37, 29), a.shape)], order=3, mode="mirror")
want = np.pad(r, ((2, 2), (0, 0), (0, 0)), constant_values=40000).astype(np.float32)
out = {"f32": int(dtype == "float32"), "mism": int((np.asanyarray(img.dataobj) != want).sum())}`,
    );
    // 40000 is no int16: float32 (SPEC §2). Before: the resample had kept float32Keeping values
    // for an int16 save (a whole fill counted as moving values), 1 ulp off here.
    assert.equal(out.f32, 1);
    assert.equal(out.mism, 0, `${out.mism} voxels differ`);
  },
);
