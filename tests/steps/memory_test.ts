/** The memory model (issue #10.6): big cases are estimated, never allocated. */
import assert from "node:assert/strict";
import { validateRecipePlan } from "../../src/recipe/validate.ts";
import { describeOverBudget } from "../../src/runner/budget.ts";
import {
  estimateSubjectPeak,
  IO_OVERHEAD,
  type PlannedStep,
  type RoleInput,
} from "../../src/steps/memory.ts";
import { bindRecipe } from "../../src/recipe/plan.ts";
import type { Affine } from "../../src/volume/affine.ts";
import type { DType } from "../../src/volume/dtype.ts";

const GB = 1e9;

const scaled = (mm: number): Affine => [
  [mm, 0, 0, 3],
  [0, mm, 0, -2],
  [0, 0, mm, 1],
  [0, 0, 0, 1],
];

function role(
  shape: [number, number, number],
  dtype: DType,
  options: { mm?: number; label?: boolean; name?: string; frames?: number } = {},
): RoleInput {
  return {
    role: options.name ?? (options.label ? "label" : "image"),
    label: options.label ?? false,
    dtype,
    geometry: { shape, frames: options.frames ?? 1, affine: scaled(options.mm ?? 1) },
  };
}

/** The bound steps of recipe text (validated as `run` does). */
function stepsOf(text: string): readonly PlannedStep[] {
  return validateRecipePlan(text, "r.yaml").plan.steps;
}

const recipe = (middle: string) =>
  `version: 1\nname: t\nsteps:\n  - step: load\n${middle}  - step: save\n    name: "{id}_{role}_{copy}.nii.gz"\n`;

Deno.test("estimateSubjectPeak sees a 640 mm file upsampled to 1 mm before any voxel is read", () => {
  // The 178-byte file: 2×2×2 voxels of 640 mm → 1280³ at 1 mm (a 2.1 G-voxel volume).
  const steps = stepsOf(recipe("  - step: resample-to-spacing\n    spacing: [1, 1, 1]\n"));
  const e = estimateSubjectPeak([role([2, 2, 2], "uint8", { mm: 640 })], steps);
  assert.ok(e.bytes >= 1280 ** 3 * 4, `${e.bytes}`); // linear output kept as float32 (SPEC §2)
  const message = describeOverBudget(e, 6 * GB, "test budget");
  assert.ok(message, "over a 6 GB budget");
  assert.match(message, /^Cannot run steps\[1\] \(resample-to-spacing\) within the memory budget/);
  assert.match(message, /needs about 8\.5 GB \(image 2x2x2 uint8 → 1280x1280x1280 float32\)/);
  assert.match(message, /over the 6\.0 GB per worker \(test budget\)/);
  assert.match(message, /MEDPREP_MAX_BYTES/);
});

Deno.test("estimateSubjectPeak counts B-spline scratch: a 256 MiB input needs several times that", () => {
  const input = [role([512, 512, 512], "int16", { mm: 1 })];
  const at = (interpolation: string) =>
    estimateSubjectPeak(
      input,
      stepsOf(recipe(
        `  - step: resample-to-spacing\n    spacing: [1, 1, 1]\n    interpolation: ${interpolation}\n`,
      )),
    );
  const MiB = 1 << 20;
  const bspline = at("bspline"), linear = at("linear"), nearest = at("nearest");
  // input 256 MiB (held) + float32 output 512 MiB + in-plane-resampled float32 stack 512 MiB.
  assert.ok(bspline.bytes >= (256 + 512 + 512) * MiB, `${bspline.bytes}`);
  assert.ok(bspline.bytes < 1.5 * (256 + 512 + 512) * MiB, `${bspline.bytes}`);
  assert.equal(bspline.name, "resample-to-spacing");
  assert.ok(linear.bytes < bspline.bytes - 400 * MiB, "linear streams planes: no stack");
  assert.ok(nearest.bytes < linear.bytes, "nearest keeps int16");
  assert.ok(nearest.bytes >= 512 * MiB);
});

Deno.test("estimateSubjectPeak counts augmentation copies depth-first (one copy alive at a time)", () => {
  const aug = (copies: number) =>
    `  - step: augment\n    copies: ${copies}\n    transforms:\n      - affine: { rotate: [-5, 5] }\n      - noise: { std: [0, 1] }\n`;
  const input = [role([64, 64, 32], "int16"), role([64, 64, 32], "uint8", { label: true })];
  const two = estimateSubjectPeak(input, stepsOf(recipe(aug(2))));
  const many = estimateSubjectPeak(input, stepsOf(recipe(aug(1000))));
  assert.equal(many.bytes, two.bytes);
  assert.equal(two.name, "augment");
  // A fixed-size crop shrinks what every later step holds.
  const cropped = estimateSubjectPeak(
    input,
    stepsOf(recipe(
      "  - step: augment\n    transforms:\n      - crop: { size: [16, 16, 16] }\n  - step: normalize\n    method: zscore\n",
    )),
  );
  const normalizeStep = cropped.steps.find((s) => s.name === "normalize")!;
  assert.match(normalizeStep.detail, /image 16x16x16 float32/);
});

Deno.test("estimateSubjectPeak counts float64 between steps where the plan keeps them exact", () => {
  const input = [role([512, 512, 300], "int16", { mm: 0.7 })];
  const resample = "  - step: resample-to-size\n    size: [224, 224, 128]\n" +
    "    interpolation: linear\n";
  const at = (middle: string, save: string, defer = true) =>
    estimateSubjectPeak(
      input,
      bindRecipe(
        validateRecipePlan(
          `version: 1\nname: t\nsteps:\n  - step: load\n${middle}  - step: save\n${save}`,
          "r.yaml",
        ).recipe,
        { defer },
      ).steps,
    ).steps[1];
  const n = 224 * 224 * 128;
  // Only save sees the resampled values: float32 (SPEC §2 allows it where nothing can tell).
  const direct = at(resample, "    dtype: keep\n");
  assert.match(direct.detail, /→ 224x224x128 float32/);
  // zscore computes from them, a float64 save stores them: float64, 4 bytes more per voxel.
  const zscore = at(
    resample + "  - step: normalize\n    method: zscore\n",
    "    dtype: float32\n",
    false,
  );
  const wide = at(resample, "    dtype: float64\n");
  for (const e of [zscore, wide]) {
    assert.match(e.detail, /→ 224x224x128 float64$/);
    assert.equal(e.bytes - direct.bytes, n * 4);
  }
});

Deno.test("estimateSubjectPeak: deferred values are not held, their input is kept (issue 15)", () => {
  // The 1 mm grid of goal 2's float pipeline: 358x358x375 float64 would be 384 MB.
  const input = [role([512, 512, 300], "int16", { mm: 0.7 })];
  const text = recipe(
    "  - step: resample-to-size\n    size: [358, 358, 375]\n    interpolation: linear\n" +
      "  - step: normalize\n    method: zscore\n",
  ) + "    dtype: float32\n";
  const { recipe: plain } = validateRecipePlan(text, "r.yaml");
  const deferred = estimateSubjectPeak(input, bindRecipe(plain).steps);
  const held = estimateSubjectPeak(input, bindRecipe(plain, { defer: false }).steps);
  const n = 358 * 358 * 375, raw = 512 * 512 * 300 * 2;
  assert.match(deferred.steps[1].detail, /float64 \(deferred/);
  assert.doesNotMatch(held.steps[1].detail, /deferred/);
  // The input (pinned) and the float32 z-scores, plus float64 planes and the I/O overhead.
  const planes = 5 * 358 * 358 * 8;
  assert.equal(deferred.steps[2].bytes, raw + n * 4 + planes + IO_OVERHEAD);
  assert.equal(deferred.bytes, deferred.steps[2].bytes);
  // Held: the input, the float64 result and the float32 z-scores made from it.
  assert.equal(held.steps[2].bytes, raw + n * 8 + n * 4 + IO_OVERHEAD);
  // A float64 result smaller than the input is held (in the consumed input's bytes).
  const down = recipe(
    "  - step: resample-to-size\n    size: [224, 224, 128]\n    interpolation: linear\n" +
      "  - step: normalize\n    method: zscore\n",
  );
  const small = estimateSubjectPeak(input, validateRecipePlan(down, "r.yaml").plan.steps);
  assert.doesNotMatch(small.steps[1].detail, /deferred/);
});
