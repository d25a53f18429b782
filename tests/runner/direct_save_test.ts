/**
 * SPEC §2 "values between steps are real numbers", with a smaller storage type kept where
 * nothing can see it: a linear/B-spline resample directly followed by `save` that stores the
 * input's type emits that type itself (plan hint `save`, resample_apply.ts). Proven here bit
 * for bit against the float path (`bindRecipe(…, { directSave: false })`): same saved bytes,
 * same provenance.
 */
import assert from "node:assert/strict";
import { bindRecipe } from "../../src/recipe/plan.ts";
import { validateRecipePlan } from "../../src/recipe/validate.ts";
import { runSubject } from "../../src/runner/run_subject.ts";
import { WORKER_IO } from "../../src/runner/worker_io.ts";
import { writeNiftiSync } from "../../src/nifti/nifti_write.ts";
import { type DType, DTYPE_INFO } from "../../src/volume/dtype.ts";
import { makeVolume } from "../_volumes.ts";

interface Case {
  dtype: DType;
  slope?: number;
  inter?: number;
}

/** Full-range extremes and a ramp: halves, ties, B-spline overshoot beyond the type's range. */
function image({ dtype, slope, inter }: Case) {
  const { min, max } = DTYPE_INFO[dtype];
  const lo = Math.max(min, -40000), hi = Math.min(max, 70000);
  return makeVolume({
    shape: [7, 6, 5],
    dtype,
    slope,
    inter,
    fn: (i, j, k) =>
      (i + j + k) % 3 === 0 ? hi : (i * j + k) % 4 === 0 ? lo : lo + 3 * i + 7 * j + k,
  });
}

/** Runs `steps` on one subject, with or without the direct hint; the saved bytes and record. */
function run(dir: string, steps: string, directSave: boolean) {
  const { recipe } = validateRecipePlan(`version: 1\nname: d\nsteps:\n${steps}`, "recipe.yaml");
  const plan = bindRecipe(recipe, { directSave });
  const out = `${dir}/${directSave ? "direct" : "float"}`;
  Deno.mkdirSync(out, { recursive: true });
  const rec = runSubject(
    { id: "s1", row: 2, paths: { image: `${dir}/img.nii` } },
    { recipe, outDir: out, maxInputBytes: 1e9 },
    { io: WORKER_IO, plan },
  );
  assert.equal(rec.status, "done", JSON.stringify(rec.error));
  const bytes = rec.outputs.map((o) => Deno.readFileSync(`${out}/${o.path}`));
  const steps_ = rec.steps.map(({ ms: _ms, ...s }) => s);
  return { plan, bytes, outputs: rec.outputs, steps: steps_, warnings: rec.warnings };
}

const CASES: Case[] = [
  { dtype: "uint8" },
  { dtype: "uint8", slope: 0.5, inter: -3 },
  { dtype: "int16" },
  { dtype: "int16", slope: 2, inter: 1000 },
  { dtype: "uint16" },
  { dtype: "uint16", slope: 0.25, inter: 0 },
  { dtype: "int32" },
  { dtype: "int32", slope: 3, inter: -7 },
];

for (const c of CASES) {
  const scaled = c.slope === undefined ? "" : ` slope ${c.slope} inter ${c.inter}`;
  Deno.test(`direct save: ${c.dtype}${scaled} equals the float path bit for bit`, () => {
    const dir = Deno.makeTempDirSync({ prefix: "medprep-direct-save-" });
    try {
      writeNiftiSync(`${dir}/img.nii`, image(c));
      let hinted = 0, clamped = 0;
      for (const interpolation of ["linear", "bspline"]) {
        for (const rounding of ["nearest", "truncate"]) {
          for (const dtype of ["auto", "keep", c.dtype]) {
            for (
              const resample of [
                `  - step: resample-to-size\n    size: [13, 11, 9]\n    grid: corners\n    interpolation: ${interpolation}\n`,
                `  - step: resample-to-spacing\n    spacing: [0.7, 1.3, 0.45]\n    grid: origin\n    fill: 1e6\n    interpolation: ${interpolation}\n`,
                // Both in-plane axes shrink: one direct bilinear pass (linear).
                `  - step: resample-to-size\n    size: [3, 2, 4]\n    grid: center\n    interpolation: ${interpolation}\n`,
              ]
            ) {
              const steps =
                `  - step: load\n${resample}  - step: save\n    name: "{id}_{role}.nii"\n` +
                `    dtype: ${dtype}\n    rounding: ${rounding}\n`;
              const direct = run(dir, steps, true), float = run(dir, steps, false);
              assert.ok(direct.plan.steps[1].save, "the hint is set");
              assert.equal(float.plan.steps[1].save, undefined);
              const what = `${interpolation} ${rounding} ${dtype} ${resample}`;
              assert.deepEqual(direct.bytes, float.bytes, what);
              assert.deepEqual(direct.outputs, float.outputs, what);
              assert.deepEqual(direct.steps, float.steps, what);
              assert.deepEqual(direct.warnings, float.warnings, what);
              hinted++;
              clamped += direct.outputs[0].clamped;
            }
          }
        }
      }
      assert.equal(hinted, 36);
      // The out-of-range fill (and B-spline overshoot) exercise clamping and its record.
      if (c.dtype !== "int32") assert.ok(clamped > 0, "some voxels clamped");
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  });
}

Deno.test("direct save: the hint goes only to the step right before the sink", () => {
  const plan = (steps: string) =>
    validateRecipePlan(`version: 1\nname: d\nsteps:\n${steps}`, "recipe.yaml").plan;
  const resample = "  - step: resample-to-size\n    size: [13, 11, 9]\n";
  for (
    const between of [
      "  - step: clip\n    min: 0\n    max: 50\n",
      "  - step: normalize\n    method: zscore\n",
    ]
  ) {
    const p = plan(`  - step: load\n${resample}${between}  - step: save\n`);
    assert.equal(p.steps[1].save, undefined, between);
    assert.deepEqual(p.steps[2].save, { dtype: "auto", rounding: "nearest" }, between);
    assert.equal(bindRecipe(p.recipe, { directSave: false }).steps[2].save, undefined);
  }
  const p = plan(`  - step: load\n${resample}  - step: save\n    dtype: float32\n`);
  assert.deepEqual(p.steps[1].save, { dtype: "float32", rounding: "nearest" });
});

Deno.test("direct save: not applied after clip/normalize, nor for a float32 save", () => {
  const dir = Deno.makeTempDirSync({ prefix: "medprep-direct-save-" });
  try {
    writeNiftiSync(`${dir}/img.nii`, image({ dtype: "int16" }));
    const resample =
      "  - step: resample-to-size\n    size: [13, 11, 9]\n    interpolation: bspline\n";
    for (
      const [between, save] of [
        ["  - step: clip\n    min: -100\n    max: 50\n", ""],
        ["  - step: normalize\n    method: zscore\n", ""],
        ["", "    dtype: float32\n"],
      ]
    ) {
      const steps = `  - step: load\n${resample}${between}  - step: save\n` +
        `    name: "{id}_{role}.nii"\n${save}`;
      const direct = run(dir, steps, true), float = run(dir, steps, false);
      // The resampled values stayed float between the steps (recorded as they were): float64
      // for a step that computes from them, float32 for the float32 save.
      assert.equal(direct.steps[0].items[0].dtype, between ? "float64" : "float32");
      assert.deepEqual(direct.bytes, float.bytes);
      assert.deepEqual(direct.outputs, float.outputs);
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
