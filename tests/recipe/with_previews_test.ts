import assert from "node:assert/strict";
import { validateRecipePlan } from "../../src/recipe/validate.ts";
import { recipeValueRange, withPreviews, writesPreviews } from "../../src/recipe/with_previews.ts";

function planOf(steps: string) {
  return validateRecipePlan(`version: 1\nname: p\nsteps:\n  - step: load\n${steps}`, "r.yaml").plan;
}

const SAVE = "  - step: save\n    preview: true\n";

Deno.test("recipeValueRange is the last window or clip bounds before save, through spatial steps", () => {
  const windowed = planOf(
    "  - step: normalize\n    method: window\n    from: [-1000, 1000]\n    to: [0, 1]\n" +
      "  - step: resample-to-spacing\n    spacing: [2, 2, 2]\n" + SAVE,
  );
  assert.deepEqual(recipeValueRange(windowed), [0, 1]);
  const clipped = planOf("  - step: clip\n    min: -200\n    max: 300\n" + SAVE);
  assert.deepEqual(recipeValueRange(clipped), [-200, 300]);
  const minmax = planOf("  - step: normalize\n    method: minmax\n    range: [1, -1]\n" + SAVE);
  assert.deepEqual(recipeValueRange(minmax), [-1, 1]);
  // A later step that changes values without a known range: no window (percentiles).
  const zscored = planOf(
    "  - step: clip\n    min: -200\n    max: 300\n  - step: normalize\n    method: zscore\n" + SAVE,
  );
  assert.equal(recipeValueRange(zscored), undefined);
  const percentiles = planOf("  - step: clip\n    percentiles: [1, 99]\n" + SAVE);
  assert.equal(recipeValueRange(percentiles), undefined);
  const unclipped = planOf(
    "  - step: normalize\n    method: window\n    from: [0, 80]\n    clip: false\n" + SAVE,
  );
  assert.equal(recipeValueRange(unclipped), undefined);
  assert.equal(recipeValueRange(planOf("  - step: save\n")), undefined);
});

Deno.test("withPreviews puts the recipe's window into the sink's params unless one is given", () => {
  const steps = "  - step: clip\n    min: -200\n    max: 300\n";
  const on = withPreviews(planOf(steps + SAVE));
  assert.deepEqual(on.sink.params.previewWindow, [-200, 300]);
  assert.deepEqual(on.recipe.steps.at(-1)!.params.previewWindow, [-200, 300]);
  const given = withPreviews(planOf(steps + SAVE + "    previewWindow: [0, 100]\n"));
  assert.deepEqual(given.sink.params.previewWindow, [0, 100]);
  // Previews off and no --preview: the plan is unchanged.
  const off = planOf(steps + "  - step: save\n");
  assert.equal(withPreviews(off), off);
  assert.equal(writesPreviews(off), false);
  // --preview switches them on, with the window.
  const forced = withPreviews(off, { force: true });
  assert.equal(writesPreviews(forced), true);
  assert.equal(forced.sink.params.preview, true);
  assert.deepEqual(forced.sink.params.previewWindow, [-200, 300]);
  assert.equal(forced.steps.at(-1), forced.sink);
});

Deno.test("save previewWindow must be increasing", () => {
  assert.throws(
    () => planOf("  - step: save\n    preview: true\n    previewWindow: [5, 1]\n"),
    /previewWindow must be \[lo, hi\] with lo < hi/,
  );
});
