import { dirname, resolve } from "node:path";
import { LineCounter, type Node, parseDocument } from "yaml";
import { RecipeError } from "../errors.ts";
import { didYouMean } from "./did_you_mean.ts";
import { IssueSink } from "./issue_sink.ts";
import { bindRecipe, type Plan } from "./plan.ts";
import { type Recipe, RECIPE_KEYS } from "./recipe.ts";
import { validateSteps } from "./validate_steps.ts";
import { checkYamlSyntax, toPlainData } from "./yaml_checks.ts";

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

function checkTopLevel(sink: IssueSink, data: Record<string, unknown>): void {
  for (const key of Object.keys(data)) {
    if (!(RECIPE_KEYS as readonly string[]).includes(key)) {
      sink.atPath(
        [key],
        `Cannot use key "${key}": not a recipe key${
          didYouMean(key, RECIPE_KEYS) || `; expected ${RECIPE_KEYS.join(", ")}`
        }`,
        "key",
      );
    }
  }
  if (!("version" in data)) {
    sink.atPath(["version"], "Missing required key `version` (write `version: 1`)", "parent");
  } else if (data.version !== 1) {
    sink.atPath(
      ["version"],
      `Cannot use version ${JSON.stringify(data.version)}: only version 1 is supported`,
    );
  }
  if ("name" in data && (typeof data.name !== "string" || !NAME_PATTERN.test(data.name))) {
    sink.atPath(
      ["name"],
      `Cannot use name ${
        JSON.stringify(data.name)
      }: use letters, digits, ".", "_" and "-" (it names the output directory)`,
    );
  }
  if ("seed" in data && !(Number.isSafeInteger(data.seed) && (data.seed as number) >= 0)) {
    sink.atPath(
      ["seed"],
      `Cannot use seed ${
        JSON.stringify(data.seed)
      }: expected a whole number from 0 to ${Number.MAX_SAFE_INTEGER}`,
    );
  }
  if ("manifest" in data && (typeof data.manifest !== "string" || data.manifest === "")) {
    sink.atPath(
      ["manifest"],
      `Cannot use manifest ${JSON.stringify(data.manifest)}: expected a file path`,
    );
  }
  if (!("steps" in data)) {
    sink.atPath(
      ["steps"],
      "Missing required key `steps` (a list starting with `- step: load`)",
      "parent",
    );
  } else if (!Array.isArray(data.steps)) {
    sink.atPath(["steps"], "Cannot use steps: expected a list of `- step: …` entries");
  } else if (data.steps.length === 0) {
    sink.atPath(
      ["steps"],
      "Cannot run an empty recipe: steps has no entries; start with `- step: load` and end with `- step: save`",
    );
  }
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
  checkTopLevel(sink, top);
  const { steps, written } = Array.isArray(top.steps)
    ? validateSteps(sink, top.steps)
    : { steps: [], written: [] };
  if (sink.issues.length > 0) throw new RecipeError(sink.sorted());
  const recipe: Recipe = {
    version: 1,
    name: typeof top.name === "string" ? top.name : stem(file),
    seed: typeof top.seed === "number" ? top.seed : 0,
    steps,
  };
  if (typeof top.manifest === "string") recipe.manifest = resolve(dirname(file), top.manifest);
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
