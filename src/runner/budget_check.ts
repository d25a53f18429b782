/**
 * The per-subject memory check of a worker (issue #10.6): before any voxel is read, the
 * subject's headers and the recipe give its peak working set (steps/memory.ts); a subject over the
 * budget fails with a message naming the step and the sizes, and the others go on.
 * Permissions: read of the subject's input files (headers only).
 */
import { readNiftiHeaderSync } from "../nifti/nifti_read.ts";
import type { SubjectRecord } from "../provenance/types.ts";
import { type Plan, rolesOf } from "../recipe/plan.ts";
import { type DType, DTYPE_INFO } from "../volume/dtype.ts";
import { estimateSubjectPeak, type RoleInput } from "../steps/memory.ts";
import { describeOverBudget, firstOverBudget } from "./budget.ts";
import type { Job, WorkerInit } from "./messages.ts";

/**
 * A failed record when `job` would exceed the worker's budget, else undefined (also when a
 * header cannot be read: the load step reports that file's problem itself).
 */
export function checkJobBudget(
  job: Job,
  init: WorkerInit,
  plan: Plan,
): SubjectRecord | undefined {
  const budget = init.memoryBudget;
  if (!budget) return undefined;
  const inputs: RoleInput[] = [];
  for (const role of rolesOf(plan, job.paths)) {
    const path = job.paths[role];
    if (!path) return undefined;
    try {
      const h = readNiftiHeaderSync(path);
      if (!(h.info.dtypeName in DTYPE_INFO)) return undefined; // the reader says why
      inputs.push({
        role,
        label: plan.labels.includes(role),
        geometry: { shape: h.shape, frames: h.frames, affine: h.affine },
        dtype: h.info.dtypeName as DType,
        file: path,
      });
    } catch {
      return undefined;
    }
  }
  let estimate;
  try {
    estimate = estimateSubjectPeak(inputs, plan.steps);
  } catch {
    return undefined; // a step cannot plan this subject: it fails there with its own message
  }
  const at = firstOverBudget(estimate, budget.bytes);
  const message = describeOverBudget(estimate, budget.bytes, budget.source);
  if (!at || !message) return undefined;
  return {
    id: job.id,
    row: job.row,
    status: "failed",
    inputs: [],
    steps: [],
    outputs: [],
    warnings: [],
    error: { step: at.step, name: at.name, message },
  };
}
