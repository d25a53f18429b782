/**
 * `run --dry-run`: each subject's input grid → output grid, from the NIfTI headers and each
 * spatial step's `plan()`; intensity steps keep the grid; a step without `plan()` that may
 * change it (augmentation, crops) makes the rest "varies". Nothing is written.
 */
import { readNiftiHeaderSync } from "../nifti/nifti_read.ts";
import { type Plan, rolesOf } from "../recipe/plan.ts";
import type { Grid } from "../volume/grid.ts";
import { columnNorms } from "../volume/affine.ts";
import type { Job } from "./messages.ts";

/** Planned grid of one role: input and output (undefined output = varies). */
export interface RolePlan {
  role: string;
  input: Grid;
  /** Volumes (4th dimension) sharing the grid; steps never change it. */
  frames: number;
  dtype: string;
  output?: Grid;
}

const fmt = (n: number) => String(Math.round(n * 1000) / 1000);

/** `12x10x8 @ 0.9x1.1x2.5 mm` (or with `x3 frames`). */
export function formatGeometry(g: Grid | undefined, frameCount = 1): string {
  if (!g) return "varies (random / data-dependent step)";
  const frames = frameCount > 1 ? ` x${frameCount} frames` : "";
  return `${g.shape.join("x")}${frames} @ ${columnNorms(g.affine).map(fmt).join("x")} mm`;
}

/** Output grid of `input` after the plan's steps, or undefined when it varies. */
export function planGeometry(input: Grid, plan: Plan): Grid | undefined {
  let g: Grid | undefined = input;
  for (const { definition: def, params } of plan.steps) {
    if (!g || def.kind === "source" || def.kind === "sink") continue;
    if (def.dataset?.(params)?.kind === "spacing") g = undefined; // known after the stats pass
    else if (def.plan && !def.planVaries?.(params)) g = def.plan(g, params);
    else if (def.kind !== "intensity" && def.kind !== "label") g = undefined;
  }
  return g;
}

/** Reads the headers of one job's inputs and plans every role. */
export function planJob(job: Job, plan: Plan): RolePlan[] {
  const roles = rolesOf(plan, job.paths);
  const plans: RolePlan[] = [];
  for (const role of roles) {
    // Sync: a header is a few small reads; the async reader yields to the event loop between
    // them, which made a 100,000-subject dry run spend most of its time waiting (#15.3c).
    const header = readNiftiHeaderSync(job.paths[role]);
    const input: Grid = { shape: header.shape, affine: header.affine };
    plans.push({
      role,
      input,
      frames: header.frames,
      dtype: header.info.dtypeName,
      output: planGeometry(input, plan),
    });
  }
  return plans;
}
