/**
 * The memory side of starting a run (issue #10.6): how many workers, each one's budget, and
 * the refusal (exit 2) of a recipe that exceeds the budget whatever its input.
 * Permissions: --allow-sys for the RAM size (without it: no memory cap, no budget).
 */
import { RecipeError } from "../errors.ts";
import type { Recipe } from "../recipe/recipe.ts";
import type { Plan } from "../recipe/plan.ts";
import { estimateRecipeFloor } from "../steps/memory.ts";
import {
  type Budget,
  capWorkers,
  deriveBudget,
  describeOverBudget,
  firstOverBudget,
} from "./budget.ts";

/** Total RAM in bytes, or undefined without --allow-sys. */
export function readTotalMemory(): number | undefined {
  try {
    return Deno.systemMemoryInfo().total;
  } catch {
    return undefined;
  }
}

/**
 * Workers and per-worker budget for `subjects` subjects; prints the `--workers` cap note.
 * `recipe` gives the steps' positions in the file for the message.
 * MEDPREP_MAX_BYTES (bytes) sets the per-worker budget instead of RAM × share / workers.
 * @throws RecipeError (exit 2) when a step exceeds the budget for any input
 */
export function planMemory(
  plan: Plan,
  recipe: Recipe,
  recipeFile: string,
  options: {
    requested: number | undefined;
    subjects: number;
    env(name: string): string | undefined;
    log(line: string): void;
    cores?: number;
    totalMemory?: number;
  },
): { workers: number; budget: Budget } {
  const totalMemory = options.totalMemory ?? readTotalMemory();
  const cores = options.cores ?? navigator.hardwareConcurrency ?? 1;
  const { workers, note } = capWorkers(options.requested, {
    cores,
    totalMemory,
    subjects: options.subjects,
  });
  if (note) options.log(note);
  const given = Number(options.env("MEDPREP_MAX_BYTES"));
  const budget = deriveBudget(workers, {
    totalMemory,
    maxBytes: Number.isFinite(given) && given > 0 ? given : undefined,
  });
  let floor;
  try {
    floor = estimateRecipeFloor(plan.steps);
  } catch (e) {
    throw new RecipeError([{ file: recipeFile, path: "steps", message: (e as Error).message }]);
  }
  const message = describeOverBudget(floor, budget.bytes, budget.source);
  if (message) {
    const at = firstOverBudget(floor, budget.bytes)!;
    const step = recipe.steps[at.step];
    throw new RecipeError([{
      file: recipeFile,
      line: step?.line,
      col: step?.col,
      path: `steps[${at.step}]`,
      message: `${message} (for any input: the recipe fixes these sizes)`,
    }]);
  }
  return { workers, budget };
}
