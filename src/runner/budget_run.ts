/**
 * The memory side of starting a run (issue #10.6): how many workers, each one's budget, and
 * the refusal (exit 2) of a recipe that exceeds the budget whatever its input.
 * Permissions: --allow-sys for the RAM size (without it: no memory cap, no budget).
 */
import { RecipeError } from "../errors.ts";
import type { Recipe } from "../recipe/recipe.ts";
import { STEPS } from "../steps/registry.ts";
import {
  type Budget,
  capWorkers,
  deriveBudget,
  describeOverBudget,
  estimateRecipeFloor,
  type PlannedStep,
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
 * MEDPREP_MAX_BYTES (bytes) sets the per-worker budget instead of RAM × share / workers.
 * @throws RecipeError (exit 2) when a step exceeds the budget for any input
 */
export function planMemory(
  recipe: Recipe,
  recipeFile: string,
  requested: number | undefined,
  subjects: number,
  options: {
    env(name: string): string | undefined;
    log(line: string): void;
    cores?: number;
    totalMemory?: number;
  },
): { workers: number; budget: Budget } {
  const totalMemory = options.totalMemory ?? readTotalMemory();
  const cores = options.cores ?? navigator.hardwareConcurrency ?? 1;
  const { workers, note } = capWorkers(requested, { cores, totalMemory, subjects });
  if (note) options.log(note);
  const given = Number(options.env("MEDPREP_MAX_BYTES"));
  const budget = deriveBudget(workers, {
    totalMemory,
    maxBytes: Number.isFinite(given) && given > 0 ? given : undefined,
  });
  const steps: PlannedStep[] = recipe.steps.flatMap((s) => {
    const def = STEPS.find((d) => d.name === s.step);
    return def ? [{ def, params: s.params }] : [];
  });
  let floor;
  try {
    floor = estimateRecipeFloor(steps);
  } catch (e) {
    throw new RecipeError([{ file: recipeFile, path: "steps", message: (e as Error).message }]);
  }
  const message = describeOverBudget(floor, budget.bytes, budget.source);
  if (message) {
    const step = recipe.steps[floor.step];
    throw new RecipeError([{
      file: recipeFile,
      line: step?.line,
      col: step?.col,
      path: `steps[${floor.step}]`,
      message: `${message} (for any input: the recipe fixes these sizes)`,
    }]);
  }
  return { workers, budget };
}
