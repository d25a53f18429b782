import { deepEqual, equal, ok } from "node:assert/strict";
import { readRecipe } from "../../src/recipe/validate.ts";

const PIPELINES = new URL("../../pipelines/", import.meta.url);
const files = [...Deno.readDirSync(PIPELINES)]
  .map((e) => e.name)
  .filter((n) => /\.ya?ml$/.test(n))
  .sort();

Deno.test("pipelines/ holds the example recipes", () => {
  for (
    const name of [
      "nidataset-224x224x128.yaml",
      "sitk-spacing-0.4mm.yaml",
      "keras-128-cube.yaml",
      "ct-1mm-window.yaml",
      "mri-zscore-brain.yaml",
    ]
  ) ok(files.includes(name), name);
});

for (const name of files) {
  Deno.test(`readRecipe validates pipelines/${name}, which starts with a comment`, async () => {
    const { recipe, text } = await readRecipe(new URL(name, PIPELINES).pathname);
    ok(/^#\s*\S/.test(text), `${name} must begin with a comment saying what it is for`);
    equal(recipe.version, 1);
    ok(recipe.steps.length >= 2);
  });
}

async function stepsOf(name: string) {
  const { recipe } = await readRecipe(new URL(name, PIPELINES).pathname);
  return Object.fromEntries(recipe.steps.map((s) => [s.step, s.params]));
}

Deno.test("nidataset-224x224x128 resamples like SimpleITK and keeps the dtype", async () => {
  const s = await stepsOf("nidataset-224x224x128.yaml");
  deepEqual(s["resample-to-size"].size, [224, 224, 128]);
  equal(s["resample-to-size"].interpolation, "bspline");
  equal(s["resample-to-size"].grid, "origin");
  equal(s.save.name, "{stem}_resampled.nii.gz");
  equal(s.save.dtype, "keep");
});

Deno.test("keras-128-cube uses scipy zoom's corners grid", async () => {
  const s = await stepsOf("keras-128-cube.yaml");
  deepEqual(s["resample-to-size"].size, [128, 128, 128]);
  equal(s["resample-to-size"].grid, "corners");
});

Deno.test("ct-1mm-window clips to ±1000 HU and windows to [0, 1] at 1 mm", async () => {
  const s = await stepsOf("ct-1mm-window.yaml");
  deepEqual(s["resample-to-spacing"].spacing, [1, 1, 1]);
  deepEqual([s.clip.min, s.clip.max], [-1000, 1000]);
  deepEqual([s.normalize.method, s.normalize.from, s.normalize.to], ["window", [-1000, 1000], [
    0,
    1,
  ]]);
});

Deno.test("sitk-spacing-0.4mm and mri-zscore-brain say what they promise", async () => {
  const sitk = await stepsOf("sitk-spacing-0.4mm.yaml");
  deepEqual(sitk["resample-to-spacing"].spacing, [0.4, 0.4, 0.4]);
  equal(sitk["resample-to-spacing"].grid, "origin");
  const mri = await stepsOf("mri-zscore-brain.yaml");
  deepEqual([mri.normalize.method, mri.normalize.mask], ["zscore", "nonzero"]);
});
