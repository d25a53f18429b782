/**
 * The one-grid check of a subject's roles (SPEC §7, issue #11.3), run right after `load`:
 * a label shifted 5 mm or of another shape would give misaligned training pairs, so the
 * subject fails with both grids in the message (the others go on).
 *
 * Hook: a recipe that puts roles onto one grid itself declares it with a step whose
 * definition has `alignsRoles: true` (resample-to-reference, which checks the roles it leaves
 * alone itself); with such a step anywhere in the recipe this check is left to that step.
 */
import type { StepDefinition, Subject } from "../steps/step.ts";
import { rolesGridMismatch } from "../volume/grid_match.ts";

/** Whether the recipe leaves the one-grid check to one of its steps (`alignsRoles`). */
export function recipeAlignsRoles(defs: readonly StepDefinition[]): boolean {
  return defs.some((d) => d.alignsRoles === true);
}

/**
 * Throws when two roles of `subject` are not on one grid.
 * @throws Error naming both roles, both grids and what differs
 */
export function checkRolesShareGrid(subject: Subject): void {
  const why = rolesGridMismatch(subject.items);
  if (why) {
    throw new Error(
      `Cannot use subject "${subject.id}": ${why}; put one onto the other's grid first with the resample-to-reference step (\`- step: resample-to-reference\` with \`onto: ${
        subject.items[0].role
      }\`; SPEC §7)`,
    );
  }
}
