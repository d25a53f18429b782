import { Command } from "commander";
import { z } from "zod";
import { RECIPE_SCHEMA } from "../recipe/recipe_schema.ts";
import { STEPS } from "../steps/registry.ts";
import type { CommandFactory } from "./command.ts";
import { deriveParamsJsonSchema, type JsonSchema } from "./step_help.ts";

function withStepKey(schema: JsonSchema, name: string): JsonSchema {
  const options: JsonSchema[] | undefined = schema.oneOf ?? schema.anyOf;
  if (options) {
    const { oneOf: _o, anyOf: _a, ...rest } = schema;
    return { ...rest, oneOf: options.map((o) => withStepKey(o, name)) };
  }
  return {
    ...schema,
    type: "object",
    properties: { step: { const: name }, ...(schema.properties ?? {}) },
    required: ["step", ...(schema.required ?? [])],
  };
}

/**
 * The JSON Schema of a recipe (SPEC §6), generated from the zod schemas: the top level from
 * RECIPE_SCHEMA, each step entry from that step's params schema.
 */
export function deriveRecipeJsonSchema(): JsonSchema {
  const { $schema, ...top } = z.toJSONSchema(RECIPE_SCHEMA, { io: "input" }) as JsonSchema;
  const names = STEPS.map((s) => s.name);
  top.properties.steps.items = {
    type: "object",
    required: ["step"],
    properties: { step: { enum: names, description: "Step name (`medprep steps`)" } },
    allOf: STEPS.map((s) => ({
      if: { properties: { step: { const: s.name } }, required: ["step"] },
      then: { description: s.summary, ...withStepKey(deriveParamsJsonSchema(s), s.name) },
    })),
  };
  return { $schema, title: "medprep recipe", ...top };
}

/** `schema`: prints the recipe JSON Schema (for editor completion of recipe files). */
export const createSchemaCommand: CommandFactory = (done) =>
  new Command("schema")
    .description("Print the JSON Schema of recipes (for editor completion and checking)")
    .action(() => {
      console.log(JSON.stringify(deriveRecipeJsonSchema(), null, 2));
      done(0);
    });
