/**
 * The limit on augmentation copies per subject (issue #10.6): copies multiply across steps,
 * and a recipe whose product is out of reach (three augment steps of 1000 copies = 10^9
 * outputs per subject) is refused at validation instead of failing after a long run.
 */
import type { StepDefinition } from "../steps/step.ts";

/** Most copies one subject may make (the product of every step's `copies`). */
export const MAX_COPIES_PER_SUBJECT = 100_000;

/** Steps at which the running product of copies first exceeds the limit, with the message. */
export function findCopiesOverLimit(
  steps: readonly { definition: StepDefinition; params: Record<string, unknown>; index: number }[],
): { index: number; message: string }[] {
  let copies = 1;
  const factors: number[] = [];
  for (const { definition, params, index } of steps) {
    const n = definition.copies?.(params) ?? 1;
    if (n <= 1) continue;
    copies *= n;
    factors.push(n);
    if (copies > MAX_COPIES_PER_SUBJECT) {
      return [{
        index,
        message:
          `Cannot make ${factors.join(" × ")} = ${copies.toExponential(0).replace("e+", "e")} ` +
          `copies per subject: the most is ${MAX_COPIES_PER_SUBJECT} (copies multiply across steps); ` +
          "lower copies, or run the recipe more than once with different seeds",
      }];
    }
  }
  return [];
}
