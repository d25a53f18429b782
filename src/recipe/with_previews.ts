/**
 * Previews in a plan: `run --preview` switches them on (as `save: { preview: true }`), and when
 * they are on without a `previewWindow`, the recipe's own value range (the last CT window or
 * clip bounds before the sink, through spatial steps) becomes their grey window. Both end up in
 * the sink's resolved params, so provenance records them.
 */
import { UsageError } from "../errors.ts";
import type { BoundStep, Plan } from "./plan.ts";
import type { SinkStep } from "../steps/step.ts";

/**
 * The value range of image values reaching the sink when the recipe alone tells: the
 * `valueRange` of the last intensity step before it, with only spatial steps in between.
 */
export function recipeValueRange(plan: Plan): readonly [number, number] | undefined {
  for (let s = plan.sink.index - 1; s > 0; s--) {
    const { definition, params } = plan.steps[s];
    if (definition.kind === "spatial") continue;
    return definition.valueRange?.(params);
  }
  return undefined;
}

/** Whether the plan's sink writes previews. */
export function writesPreviews(plan: Plan): boolean {
  return plan.sink.definition.previewName?.(plan.sink.params, "x.nii.gz") !== undefined;
}

/**
 * The plan whose sink writes previews when `force` (run --preview) or its params say so, with
 * the recipe's value range as their window when they give none; its recipe records the params.
 * @throws UsageError when `force` is set and the recipe's sink cannot write previews
 */
export function withPreviews(plan: Plan, options: { force?: boolean } = {}): Plan {
  const { sink } = plan;
  const enable = sink.definition.withPreview;
  if (!enable) {
    if (!options.force) return plan;
    throw new UsageError([{
      path: "--preview",
      message: `Cannot write previews: the sink "${sink.definition.name}" has no preview`,
    }]);
  }
  if (!options.force && !writesPreviews(plan)) return plan;
  const window = recipeValueRange(plan);
  const params = enable(sink.params, { window }) as Record<string, unknown>;
  const bound: BoundStep<SinkStep> = { ...sink, params };
  const steps = plan.steps.map((s) => (s === sink ? bound : s));
  const recipeSteps = plan.recipe.steps.map((s, i) => (i === sink.index ? { ...s, params } : s));
  return { ...plan, steps, sink: bound, recipe: { ...plan.recipe, steps: recipeSteps } };
}
