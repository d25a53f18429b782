import { deepEqual, equal, ok } from "node:assert/strict";
import { deriveRecipeJsonSchema } from "../../src/cli/schema.ts";
import { RECIPE_NAME_PATTERN, RECIPE_SCHEMA } from "../../src/recipe/recipe_schema.ts";
import { STEPS } from "../../src/steps/registry.ts";
import { runCli } from "./_run.ts";

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

Deno.test("deriveRecipeJsonSchema describes the top level and one branch per step", () => {
  const s = deriveRecipeJsonSchema();
  deepEqual(s.required, ["version", "steps"]);
  equal(s.additionalProperties, false);
  deepEqual(s.properties.version, {
    type: "number",
    const: 1,
    description: "Recipe format version",
  });
  // The top level is generated from RECIPE_SCHEMA, the same zod schema validation uses.
  deepEqual(Object.keys(s.properties), Object.keys(RECIPE_SCHEMA.shape));
  equal(s.properties.name.pattern, RECIPE_NAME_PATTERN.source);
  deepEqual(
    [s.properties.seed.type, s.properties.seed.minimum, s.properties.seed.default],
    ["integer", 0, 0],
  );
  equal(s.properties.steps.minItems, 1);
  const items = s.properties.steps.items as Json;
  deepEqual(items.properties.step.enum, STEPS.map((x) => x.name));
  equal(items.allOf.length, STEPS.length);
  const clip = items.allOf.find((b: Json) => b.if.properties.step.const === "clip").then;
  deepEqual(clip.properties.step, { const: "clip" });
  equal(clip.additionalProperties, false);
  ok(clip.properties.min.description.length > 0);
  const normalize = items.allOf.find((b: Json) => b.if.properties.step.const === "normalize").then;
  equal(normalize.oneOf.length + (normalize.anyOf?.length ?? 0) >= 3, true);
  for (const o of normalize.oneOf ?? normalize.anyOf) {
    deepEqual(o.properties.step, { const: "normalize" });
  }
});

Deno.test("schema prints the recipe JSON Schema and exits 0", async () => {
  const r = await runCli(["schema"]);
  equal(r.code, 0, r.stderr);
  deepEqual(JSON.parse(r.stdout), deriveRecipeJsonSchema());
});
