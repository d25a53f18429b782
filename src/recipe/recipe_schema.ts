/**
 * The recipe's top level (SPEC §6) as a zod schema, like every step's params: the single source
 * of what `version`, `name`, `seed`, `manifest` and `steps` accept, their messages and their
 * docs, from which validation and the JSON Schema (`medprep schema`) are both derived. The step
 * entries inside `steps` are checked against each step's own schema (validate_steps.ts).
 */
import { z } from "zod";

/** What a recipe `name` may look like (it names the output directory). */
export const RECIPE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

const show = (v: unknown) => JSON.stringify(v);
const missing = (key: string, hint: string) => `Missing required key \`${key}\` (${hint})`;

const seedError = (iss: { input?: unknown }) =>
  `Cannot use seed ${
    show(iss.input)
  }: expected a whole number from 0 to ${Number.MAX_SAFE_INTEGER}`;
const nameError = (iss: { input?: unknown }) =>
  `Cannot use name ${
    show(iss.input)
  }: use letters, digits, ".", "_" and "-" (it names the output directory)`;

/** The top level of a recipe file. */
export const RECIPE_SCHEMA = z.object({
  version: z.literal(1, {
    error: (iss) =>
      iss.input === undefined
        ? missing("version", "write `version: 1`")
        : `Cannot use version ${show(iss.input)}: only version 1 is supported`,
  }).describe("Recipe format version"),
  name: z.string({ error: nameError }).regex(RECIPE_NAME_PATTERN, { error: nameError })
    .optional().describe("Recipe name (default: the file name); names the output directory"),
  seed: z.int({ error: seedError }).min(0, { error: seedError })
    .max(Number.MAX_SAFE_INTEGER, { error: seedError }).default(0)
    .describe("Run seed for random steps"),
  manifest: z.string({
    error: (iss) => `Cannot use manifest ${show(iss.input)}: expected a file path`,
  }).min(1, { error: `Cannot use manifest "": expected a file path` }).optional()
    .describe("Default manifest, relative to the recipe file"),
  steps: z.array(z.unknown(), {
    error: (iss) =>
      iss.input === undefined
        ? missing("steps", "a list starting with `- step: load`")
        : "Cannot use steps: expected a list of `- step: …` entries",
  }).min(1, {
    error:
      "Cannot run an empty recipe: steps has no entries; start with `- step: load` and end with `- step: save`",
  }).describe("Steps in order: a source first (load), a sink last (save)"),
}).strict();

/** Top-level keys a recipe may have. */
export const RECIPE_KEYS = Object.keys(RECIPE_SCHEMA.shape) as (keyof typeof RECIPE_SCHEMA.shape)[];
