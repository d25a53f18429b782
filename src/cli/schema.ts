import { Command } from "commander";
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

/** The JSON Schema of a recipe (SPEC §6), built from every step's params schema. */
export function deriveRecipeJsonSchema(): JsonSchema {
  const names = STEPS.map((s) => s.name);
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    title: "medprep recipe",
    type: "object",
    additionalProperties: false,
    required: ["version", "steps"],
    properties: {
      version: { const: 1, description: "Recipe format version" },
      name: {
        type: "string",
        pattern: "^[A-Za-z0-9][A-Za-z0-9._-]*$",
        description: "Recipe name (default: the file name); names the output directory",
      },
      seed: { type: "integer", minimum: 0, default: 0, description: "Run seed for random steps" },
      manifest: { type: "string", description: "Default manifest, relative to the recipe file" },
      steps: {
        type: "array",
        minItems: 1,
        description: "Steps in order: a source first (load), a sink last (save)",
        items: {
          type: "object",
          required: ["step"],
          properties: { step: { enum: names, description: "Step name (`medprep steps`)" } },
          allOf: STEPS.map((s) => ({
            if: { properties: { step: { const: s.name } }, required: ["step"] },
            then: { description: s.summary, ...withStepKey(deriveParamsJsonSchema(s), s.name) },
          })),
        },
      },
    },
  };
}

/** `schema`: prints the recipe JSON Schema (for editor completion of recipe files). */
export const createSchemaCommand: CommandFactory = (done) =>
  new Command("schema")
    .description("Print the JSON Schema of recipes (for editor completion and checking)")
    .action(() => {
      console.log(JSON.stringify(deriveRecipeJsonSchema(), null, 2));
      done(0);
    });
