/** `run --preview`: the plan with the sink's previews switched on (as `save: { preview: true }`). */
import { UsageError } from "../errors.ts";
import type { BoundStep, Plan } from "./plan.ts";
import type { SinkStep } from "../steps/step.ts";

/**
 * The plan whose sink also writes previews; its recipe records the sink's new params.
 * @throws UsageError when the recipe's sink cannot write previews
 */
export function withPreviews(plan: Plan): Plan {
  const { sink } = plan;
  const enable = sink.definition.withPreview;
  if (!enable) {
    throw new UsageError([{
      path: "--preview",
      message: `Cannot write previews: the sink "${sink.definition.name}" has no preview`,
    }]);
  }
  const params = enable(sink.params) as Record<string, unknown>;
  const bound: BoundStep<SinkStep> = { ...sink, params };
  const steps = plan.steps.map((s) => (s === sink ? bound : s));
  const recipeSteps = plan.recipe.steps.map((s, i) => (i === sink.index ? { ...s, params } : s));
  return { ...plan, steps, sink: bound, recipe: { ...plan.recipe, steps: recipeSteps } };
}
