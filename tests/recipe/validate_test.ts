import { deepEqual, equal, ok, throws } from "node:assert/strict";
import { formatIssue, RecipeError } from "../../src/errors.ts";
import { readRecipe, validateRecipe } from "../../src/recipe/validate.ts";
import { assertMatchesFile } from "./_snapshot.ts";

const TESTDATA = new URL("./testdata/", import.meta.url);

function yamlFiles(dir: string): string[] {
  return [...Deno.readDirSync(new URL(dir, TESTDATA))]
    .map((e) => e.name).filter((n) => n.endsWith(".yaml")).sort();
}

function issuesOf(text: string, file: string): string {
  try {
    validateRecipe(text, file);
  } catch (e) {
    if (e instanceof RecipeError) return e.issues.map(formatIssue).join("\n") + "\n";
    throw e;
  }
  throw new Error(`${file} validated but is in testdata/invalid`);
}

for (const name of yamlFiles("invalid/")) {
  Deno.test(`validateRecipe reports every issue of invalid/${name} (snapshot)`, async () => {
    const text = await Deno.readTextFile(new URL(`invalid/${name}`, TESTDATA));
    const actual = issuesOf(text, `invalid/${name}`);
    await assertMatchesFile(
      actual,
      new URL(`invalid/${name.replace(/\.yaml$/, ".expected.txt")}`, TESTDATA),
    );
  });
}

for (const name of yamlFiles("valid/")) {
  Deno.test(`validateRecipe accepts valid/${name}`, async () => {
    const text = await Deno.readTextFile(new URL(`valid/${name}`, TESTDATA));
    const recipe = validateRecipe(text, `valid/${name}`);
    equal(recipe.version, 1);
    ok(recipe.steps.length >= 2);
    equal(recipe.steps[0].step, "load");
    equal(recipe.steps[recipe.steps.length - 1].step, "save");
  });
}

Deno.test("validateRecipe fills defaults, positions, name from the file stem and seed 0", () => {
  const recipe = validateRecipe(
    "version: 1\nsteps:\n  - step: load\n  - step: resample-to-size\n    size: [5, null, 7]\n  - step: save\n",
    "dir/my-recipe.yml",
  );
  equal(recipe.name, "my-recipe");
  equal(recipe.seed, 0);
  equal(recipe.manifest, undefined);
  deepEqual(recipe.steps[1], {
    step: "resample-to-size",
    params: {
      size: [5, null, 7],
      grid: "center",
      interpolation: "linear",
      antialias: false,
      fill: 0,
    },
    line: 4,
    col: 5,
  });
  deepEqual(recipe.steps[2].params, {
    name: "{id}_{role}.nii.gz",
    dtype: "auto",
    rounding: "nearest",
    compression: 6,
  });
});

Deno.test("validateRecipe resolves manifest against the recipe's directory", () => {
  const recipe = validateRecipe(
    "version: 1\nname: x\nseed: 7\nmanifest: data/subjects.csv\nsteps:\n  - step: load\n  - step: save\n",
    "/srv/recipes/x.yaml",
  );
  equal(recipe.manifest, "/srv/recipes/data/subjects.csv");
  equal(recipe.seed, 7);
  equal(recipe.name, "x");
});

Deno.test("validateRecipe resolves aliases as data", () => {
  const recipe = validateRecipe(
    "version: 1\nsteps:\n  - step: load\n  - step: clip\n    min: &lo -5\n    max: 9\n  - step: normalize\n    method: window\n    from: [*lo, 9]\n  - step: save\n",
    "a.yaml",
  );
  deepEqual(recipe.steps[2].params.from, [-5, 9]);
});

Deno.test("validateRecipe rejects a billion-laughs alias bomb instead of expanding it", () => {
  const lines = ["version: 1", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"];
  for (let i = 1; i < 9; i++) {
    lines.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(", ")}]`);
  }
  lines.push("steps: [{step: load}, {step: save}]");
  throws(() => validateRecipe(lines.join("\n"), "bomb.yaml"), (e: unknown) => {
    ok(e instanceof RecipeError);
    ok(e.issues.some((i) => /alias/i.test(i.message)), e.message);
    return true;
  });
});

Deno.test("readRecipe names a missing file", async () => {
  try {
    await readRecipe("/nonexistent/recipe.yaml");
    throw new Error("readRecipe did not throw");
  } catch (e) {
    ok(e instanceof RecipeError);
    equal(e.message, 'Cannot read recipe "/nonexistent/recipe.yaml": file not found');
  }
});

Deno.test("readRecipe returns the text and the validated recipe", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/r.yaml`;
  const text = "version: 1\nsteps:\n  - step: load\n  - step: save\n";
  await Deno.writeTextFile(path, text);
  const got = await readRecipe(path);
  equal(got.text, text);
  equal(got.recipe.name, "r");
  deepEqual(got.recipe.steps.map((s) => s.step), ["load", "save"]);
  await Deno.remove(dir, { recursive: true });
});
