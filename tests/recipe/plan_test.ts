import { deepEqual, equal, throws } from "node:assert/strict";
import { RecipeError } from "../../src/errors.ts";
import { bindRecipe, rolesOf, withSeed } from "../../src/recipe/plan.ts";
import { validateRecipePlan } from "../../src/recipe/validate.ts";
import { load } from "../../src/steps/io/load.ts";
import { save } from "../../src/steps/io/save.ts";
import { TEST_STEPS, testRecipe } from "../runner/_fake.ts";

Deno.test("bindRecipe joins every step to its definition once: copies, copies after, value kind", () => {
  const plan = bindRecipe(
    testRecipe([
      { step: "load", roles: ["image", "t2"] },
      { step: "jitter", copies: 3 },
      { step: "add", amount: 1 },
      { step: "jitter", copies: 2 },
      { step: "save" },
    ]),
    { registry: TEST_STEPS },
  );
  equal(plan.source.definition, load);
  equal(plan.sink.definition, save);
  equal(plan.copies, 6);
  deepEqual(plan.steps.map((s) => [s.index, s.definition.name, s.copies, s.copiesAfter]), [
    [0, "load", 1, 6],
    [1, "jitter", 3, 2],
    [2, "add", 1, 2],
    [3, "jitter", 2, 1],
    [4, "save", 1, 1],
  ]);
  deepEqual(plan.steps.map((s) => s.produces), [
    "input",
    "unknown",
    "unknown",
    "unknown",
    "unknown",
  ]);
  deepEqual(plan.roles, ["image", "t2"]);
  deepEqual(plan.labels, ["label"]);
  equal(plan.labelsWritten, true); // plain data: unknown, so treated as written (strict)
  deepEqual(rolesOf(plan, { image: "/a", label: "/b" }), ["image", "t2"]);
  equal(withSeed(plan, 99).recipe.seed, 99);
  equal(withSeed(plan, undefined), plan);
});

Deno.test("validateRecipePlan tells a written labels list from the default", () => {
  const text = (load: string) => `version: 1\nsteps:\n  - step: load\n${load}  - step: save\n`;
  const defaulted = validateRecipePlan(text(""), "r.yaml").plan;
  deepEqual([defaulted.labels, defaulted.labelsWritten], [["label"], false]);
  const written = validateRecipePlan(text("    labels: [label]\n"), "r.yaml").plan;
  deepEqual([written.labels, written.labelsWritten], [["label"], true]);
  deepEqual([...written.steps[0].written!], ["labels"]);
  equal(defaulted.roles, undefined);
  deepEqual(rolesOf(defaulted, { image: "/a", seg: "/b", t2: "" }), ["image", "seg"]);
});

Deno.test("bindRecipe refuses plain recipes that are not source … sink", () => {
  const plain = (steps: string[]) => ({
    version: 1,
    name: "x",
    seed: 0,
    steps: steps.map((step) => ({ step, params: {} })),
  });
  throws(() => bindRecipe(plain(["save", "load"]), { registry: TEST_STEPS }), RecipeError);
  throws(() => bindRecipe(plain(["load"]), { registry: TEST_STEPS }), RecipeError);
});

Deno.test("after validation nothing looks a step up by name: the runner never imports the registry", () => {
  const dir = new URL("../../src/runner/", import.meta.url);
  for (const e of Deno.readDirSync(dir)) {
    const text = Deno.readTextFileSync(new URL(e.name, dir));
    equal(/steps\/registry\.ts|findStep\(|\.name === s\.step/.test(text), false, e.name);
    equal(/params as unknown as|params\.\w+ as /.test(text), false, `${e.name} casts params`);
  }
});

/** The bound plan of a recipe whose steps (YAML list entries) run between load and save. */
function planOf(middle: string, save = "") {
  const text = `version: 1\nname: f\nsteps:\n  - step: load\n${middle}  - step: save\n${save}`;
  return bindRecipe(validateRecipePlan(text, "recipe.yaml").recipe);
}

const RESAMPLE = "  - step: resample-to-size\n    size: [9, 9, 9]\n    interpolation: linear\n";

Deno.test("bindRecipe floats: float64 where a later step computes or the output is float64", () => {
  const auto = { exact: false, target: { dtype: "auto", rounding: "nearest" } };
  const cases: [string, string, unknown][] = [
    ["", "", auto],
    ["", "    dtype: float32\n", {
      exact: false,
      target: { dtype: "float32", rounding: "nearest" },
    }],
    ["", "    dtype: float64\n", { exact: true }],
    // Steps that only move values keep the sink's word...
    ["  - step: reorient\n", "", auto],
    ["  - step: crop-or-pad\n    size: [4, 4, 4]\n", "", auto],
    ["  - step: resample-to-size\n    size: [5, 5, 5]\n    interpolation: nearest\n", "", auto],
    // ...steps that compute from the values (or pad with a fraction) make it exact.
    ["  - step: crop-or-pad\n    size: [4, 4, 4]\n    fill: 0.5\n", "", { exact: true }],
    ["  - step: crop-or-pad\n    size: [4, 4, 4]\n    fill: -1000\n", "", { exact: true }],
    ["  - step: normalize\n    method: zscore\n", "", { exact: true }],
    ["  - step: clip\n    min: -100\n    max: 100\n", "", { exact: true }],
    ["  - step: crop-foreground\n", "", { exact: true }],
    [RESAMPLE, "", { exact: true }],
  ];
  for (const [after, save, want] of cases) {
    const plan = planOf(RESAMPLE + after, save);
    deepEqual(plan.steps[1].floats, want, `${after}${save}`);
  }
  // The last computing step before the sink gets the sink's word.
  const zscore = planOf(RESAMPLE + "  - step: normalize\n    method: zscore\n");
  deepEqual(zscore.steps[2].floats, auto);
});
