/**
 * `save` npy/npz of an integer output that keeps the input's scaling (`dtype: auto`/`keep`):
 * NumPy has no slope/intercept, so the arrays hold the values — exactly what nibabel's
 * get_fdata() gives for the NIfTI output of the same recipe (float64), not float32 values
 * (an audit found npz differing from get_fdata by 3.8e-6 with slope 0.37, inter -12.5).
 */
import assert from "node:assert/strict";
import { writeNiftiSync } from "../../../src/nifti/nifti_write.ts";
import { makeVolume, obliqueAffine } from "../../_volumes.ts";
import type { Volume } from "../../../src/volume/volume.ts";
import { runCli } from "../../cli/_run.ts";
import { HAVE_NIBABEL, runPython } from "../../npy/_numpy.ts";

const CHECK = `
import nibabel as nib, os
problems = []
for dtype in ["auto", "keep"]:
    d = nib.load(os.path.join(inp["dir"], "nii-" + dtype, "s1_image.nii.gz")).get_fdata()
    a = np.load(os.path.join(inp["dir"], "npy-" + dtype, "s1_image.npy"))[0]
    b = np.load(os.path.join(inp["dir"], "npz-" + dtype, "s1.npz"))["image"][0]
    for name, arr in [("npy", a), ("npz", b)]:
        if str(arr.dtype) != "float64": problems.append(dtype + " " + name + " dtype " + str(arr.dtype))
        if not np.array_equal(arr, d): problems.append(dtype + " " + name + " values differ by " + str(np.abs(arr - d).max()))
out = {"problems": problems}
`;

/** Runs load → `middle` → save (auto / keep, as nii, npy and npz) and compares the arrays. */
async function checkScaled(volume: Volume, middle: string): Promise<void> {
  const dir = Deno.makeTempDirSync({ prefix: "medprep-save-scaled-" });
  try {
    writeNiftiSync(`${dir}/s1.nii.gz`, volume);
    Deno.writeTextFileSync(`${dir}/m.csv`, "id,image\ns1,s1.nii.gz\n");
    for (const dtype of ["auto", "keep"]) {
      for (const format of ["nii", "npy", "npz"]) {
        const recipe = `${dir}/${format}-${dtype}.yaml`;
        Deno.writeTextFileSync(
          recipe,
          `version: 1\nname: ${format}-${dtype}\nsteps:\n  - step: load\n${middle}  - step: save\n` +
            `    dtype: ${dtype}\n` + (format === "nii" ? "" : `    format: ${format}\n`),
        );
        const out = `${dir}/${format}-${dtype}`;
        const r = await runCli(["run", recipe, "--manifest", `${dir}/m.csv`, "--out", out]);
        assert.equal(r.code, 0, r.stderr);
      }
    }
    const got = await runPython(CHECK, { dir }) as { problems: string[] };
    assert.deepEqual(got.problems, []);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

Deno.test({
  name: "save npy/npz of a scaled integer output hold exactly nibabel's get_fdata() values",
  ignore: !HAVE_NIBABEL,
  fn: () =>
    checkScaled(
      makeVolume({
        shape: [6, 5, 4],
        affine: obliqueAffine([0.9, 1.1, 2.5]),
        slope: 0.37,
        inter: -12.5,
        fn: (i, j, k) => i * 701 - j * 333 + k * 1111,
      }),
      "",
    ),
});

Deno.test({
  name: "save npy/npz of a resampled scaled float32 input hold exactly get_fdata() of its NIfTI",
  ignore: !HAVE_NIBABEL,
  // Before: float32 of (float32 raw × slope + inter), rounded twice: 1 ulp off in ~20%.
  fn: () =>
    checkScaled(
      makeVolume({
        shape: [9, 8, 7],
        dtype: "float32",
        affine: obliqueAffine([0.9, 1.1, 2.5]),
        slope: 2.5,
        inter: 100,
        fn: (i, j, k) => 50 + 3 * Math.sin(i * 1.3 + j * 0.7) + k * 0.123,
      }),
      "  - step: resample-to-size\n    size: [13, 11, 6]\n    interpolation: linear\n",
    ),
});
