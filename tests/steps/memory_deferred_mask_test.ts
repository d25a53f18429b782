/**
 * Issue 15, the memory model of deferred values: normalize holds a deferred mask role (a
 * non-label image used as `mask: <role>`) before reading it voxel by voxel
 * (`materializeItems` in normalize.ts), so the estimate of that step counts the role's held
 * float values besides the input kept and the step's results.
 */
import assert from "node:assert/strict";
import { validateRecipePlan } from "../../src/recipe/validate.ts";
import { estimateSubjectPeak, IO_OVERHEAD, type RoleInput } from "../../src/steps/memory.ts";
import { bindRecipe } from "../../src/recipe/plan.ts";

const input = (role: string, label: boolean): RoleInput => ({
  role,
  label,
  dtype: "int16",
  geometry: {
    shape: [512, 512, 300],
    frames: 1,
    affine: [[0.7, 0, 0, 0], [0, 0.7, 0, 0], [0, 0, 0.7, 0], [0, 0, 0, 1]],
  },
});

function normalizeStep(labels: string, mask: string) {
  const text = "version: 1\nname: t\nsteps:\n" +
    `  - step: load\n    roles: [image, brain]\n    labels: ${labels}\n` +
    "  - step: resample-to-size\n    size: [358, 358, 375]\n    interpolation: linear\n" +
    `  - step: normalize\n    method: zscore\n    mask: ${mask}\n` +
    "  - step: save\n    dtype: float32\n";
  const { recipe } = validateRecipePlan(text, "r.yaml");
  const inputs = [input("image", false), input("brain", labels.includes("brain"))];
  return estimateSubjectPeak(inputs, bindRecipe(recipe).steps).steps[2];
}

Deno.test("estimateSubjectPeak: a deferred mask role is held by normalize (issue 15)", () => {
  const n = 358 * 358 * 375, raw = 512 * 512 * 300 * 2, planes = 5 * 358 * 358 * 8;
  // Both images deferred; normalize holds brain's float64 values (its mask) first, then makes
  // the two float32 z-scores; both inputs are kept until it has read them.
  assert.equal(
    normalizeStep("[]", "brain").bytes,
    2 * raw + n * 8 + 2 * n * 4 + planes + IO_OVERHEAD,
  );
  // Without a mask role nothing is held: the inputs, the z-scores and the planes.
  assert.equal(normalizeStep("[]", "all").bytes, 2 * raw + 2 * n * 4 + planes + IO_OVERHEAD);
  // A label mask is resampled with nearest (held as int16) and never deferred.
  assert.equal(
    normalizeStep("[brain]", "brain").bytes,
    2 * raw + n * 2 + n * 4 + planes + IO_OVERHEAD,
  );
});

Deno.test("estimateSubjectPeak: no deferral before a step the statistics pass stops at", () => {
  // The statistics pass of `over: dataset` stops before normalize and holds the resampled
  // values (run_subject.ts: no `defer` right before the stop), so its subjects need them.
  const text = "version: 1\nname: t\nsteps:\n  - step: load\n" +
    "  - step: resample-to-size\n    size: [358, 358, 375]\n    interpolation: linear\n" +
    "  - step: normalize\n    method: zscore\n    over: dataset\n" +
    "  - step: save\n    dtype: float32\n";
  const { recipe } = validateRecipePlan(text, "r.yaml");
  const inputs = [input("image", false)];
  const planned = estimateSubjectPeak(inputs, bindRecipe(recipe).steps);
  const held = estimateSubjectPeak(inputs, bindRecipe(recipe, { defer: false }).steps);
  assert.doesNotMatch(planned.steps[1].detail, /deferred/);
  assert.equal(planned.bytes, held.bytes);
});
