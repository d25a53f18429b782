import { dirname, resolve } from "node:path";
import { LineCounter, type Node, parseDocument } from "yaml";
import type { z } from "zod";
import { RecipeError } from "../errors.ts";
import { didYouMean } from "./did_you_mean.ts";
import { IssueSink } from "./issue_sink.ts";
import { bindRecipe, type Plan } from "./plan.ts";
import type { Recipe } from "./recipe.ts";
import { RECIPE_KEYS, RECIPE_SCHEMA } from "./recipe_schema.ts";
import { findCopiesOverLimit } from "./copies_limit.ts";
import { findStep } from "../steps/registry.ts";
import { validateSteps } from "./validate_steps.ts";
import { resolveStepFiles } from "./step_roles.ts";
import { checkYamlSyntax, toPlainData } from "./yaml_checks.ts";

/**
 * Checks the top level against RECIPE_SCHEMA (one issue per key, placed at its node); returns
 * the parsed top level, or undefined after an issue.
 */
function checkTopLevel(
  sink: IssueSink,
  data: Record<string, unknown>,
): z.output<typeof RECIPE_SCHEMA> | undefined {
  const result = RECIPE_SCHEMA.safeParse(data);
  if (result.success) return result.data;
  const seen = new Set<string>();
  for (const issue of result.error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        sink.atPath(
          [key],
          `Cannot use key "${key}": not a recipe key${
            didYouMean(key, RECIPE_KEYS) || `; expected ${RECIPE_KEYS.join(", ")}`
          }`,
          "key",
        );
      }
      continue;
    }
    const key = String(issue.path[0] ?? "");
    if (seen.has(key)) continue; // one message per key (e.g. seed: not an integer and too big)
    seen.add(key);
    sink.atPath([key], issue.message, key in data ? "value" : "parent");
  }
  return undefined;
}

function stem(file: string): string {
  return (file.split(/[/\\]/).pop() ?? file).replace(/\.ya?ml$/i, "");
}

/**
 * Validates recipe text (SPEC §6) without evaluating anything.
 * @throws RecipeError with every issue found, each at `file:line:col path`.
 */
export function validateRecipe(text: string, file: string): Recipe {
  return validateRecipePlan(text, file).recipe;
}

/**
 * Validates recipe text and binds it to the step registry: the recipe (with positions) and its
 * plan, which everything after validation consumes.
 * @throws RecipeError with every issue found, each at `file:line:col path`.
 */
export function validateRecipePlan(text: string, file: string): { recipe: Recipe; plan: Plan } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter,
    prettyErrors: false,
    version: "1.2",
    schema: "core",
    merge: false,
    uniqueKeys: true,
  });
  const sink = new IssueSink(file, doc, lineCounter);
  const parsed = checkYamlSyntax(sink, text, doc);
  const data = parsed ? toPlainData(sink, doc) : undefined;
  if (parsed && (data === null || typeof data !== "object" || Array.isArray(data))) {
    const what = data === null || data === undefined
      ? "an empty document"
      : Array.isArray(data)
      ? "a list"
      : JSON.stringify(data);
    if (!sink.issues.length) {
      sink.atNode(
        doc.contents as Node | null,
        [],
        `Cannot read recipe: expected a map with version and steps, got ${what}`,
      );
    }
  }
  if (!parsed || data === null || typeof data !== "object" || Array.isArray(data)) {
    throw new RecipeError(sink.sorted());
  }
  const top = data as Record<string, unknown>;
  const parsedTop = checkTopLevel(sink, top);
  const { steps: parsedSteps, written } = Array.isArray(top.steps)
    ? validateSteps(sink, top.steps)
    : { steps: [], written: [] };
  let steps = parsedSteps;
  // Issue #10.6: copies multiply across steps; refuse a product out of reach (budget helper).
  if (sink.issues.length === 0) {
    // Files steps read (a `reference`) are relative to the recipe's folder.
    const defs = steps.map((s) => findStep(s.step)!);
    steps = resolveStepFiles(sink, steps, defs, dirname(resolve(file)));
    const bound = steps.map((s, index) => ({
      definition: findStep(s.step)!,
      params: s.params,
      index,
    }));
    for (const p of findCopiesOverLimit(bound)) {
      sink.atPath(["steps", p.index, "copies"], p.message);
    }
  }
  if (sink.issues.length > 0 || !parsedTop) throw new RecipeError(sink.sorted());
  const recipe: Recipe = {
    version: 1,
    name: parsedTop.name ?? stem(file),
    seed: parsedTop.seed,
    steps,
  };
  if (parsedTop.manifest !== undefined) {
    recipe.manifest = resolve(dirname(file), parsedTop.manifest);
  }
  return { recipe, plan: bindRecipe(recipe, { written }) };
}

/**
 * Reads and validates a recipe file.
 * @throws RecipeError naming the file when it cannot be read or is invalid.
 */
export async function readRecipe(
  path: string,
): Promise<{ recipe: Recipe; plan: Plan; text: string }> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    const reason = e instanceof Deno.errors.NotFound
      ? "file not found"
      : e instanceof Deno.errors.IsADirectory
      ? "is a directory"
      : e instanceof Error
      ? e.message
      : String(e);
    throw new RecipeError([{
      path: "",
      message: `Cannot read recipe "${path}": ${reason}`,
    }]);
  }
  return { ...validateRecipePlan(text, path), text };
}
