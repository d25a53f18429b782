import { deepEqual, equal } from "node:assert/strict";
import { RECIPE_KEYS, RECIPE_SCHEMA } from "../../src/recipe/recipe_schema.ts";
import { validateRecipe } from "../../src/recipe/validate.ts";
import { RecipeError } from "../../src/errors.ts";

function issues(text: string): string[] {
  try {
    validateRecipe(text, "r.yaml");
  } catch (e) {
    if (e instanceof RecipeError) {
      return e.issues.map((i) => `${i.line}:${i.col} ${i.path}: ${i.message}`);
    }
    throw e;
  }
  return [];
}

Deno.test("RECIPE_SCHEMA fills defaults and lists the top-level keys", () => {
  deepEqual(RECIPE_KEYS, ["version", "name", "seed", "manifest", "steps"]);
  deepEqual(RECIPE_SCHEMA.parse({ version: 1, steps: [{}] }), { version: 1, seed: 0, steps: [{}] });
  equal(RECIPE_SCHEMA.safeParse({ version: 1, steps: [{}], seed: 2 ** 53 }).success, false);
});

Deno.test("validateRecipe reports top-level problems from RECIPE_SCHEMA, one per key, at its node", () => {
  deepEqual(
    issues("version: 1\nseed: 1e20\nmanifest: ''\nname: a/b\nstep: []\nsteps: []\n"),
    [
      `2:7 seed: Cannot use seed 100000000000000000000: expected a whole number from 0 to ${Number.MAX_SAFE_INTEGER}`,
      '3:11 manifest: Cannot use manifest "": expected a file path',
      '4:7 name: Cannot use name "a/b": use letters, digits, ".", "_" and "-" (it names the output directory)',
      '5:1 step: Cannot use key "step": not a recipe key; did you mean `steps`?',
      "6:8 steps: Cannot run an empty recipe: steps has no entries; start with `- step: load` and end with `- step: save`",
    ],
  );
  deepEqual(issues("name: x\n"), [
    "1:1 version: Missing required key `version` (write `version: 1`)",
    "1:1 steps: Missing required key `steps` (a list starting with `- step: load`)",
  ]);
});
