import type { Item } from "./step.ts";
import { rolesGridMismatch } from "../volume/grid_match.ts";

/**
 * Throws unless `items` share one grid (SPEC §7, same message as the runner's one-grid check),
 * for steps that treat several roles together (one crop box, channels of one volume).
 * @throws Error naming the step, both roles, both grids and what differs
 */
export function requireOneGrid(items: readonly Item[], action: string): void {
  const why = rolesGridMismatch(items);
  if (why) throw new Error(`Cannot ${action}: ${why}; resample one onto the other first (SPEC §7)`);
}
