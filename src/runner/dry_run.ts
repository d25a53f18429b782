/**
 * `run --dry-run` output: per subject, each role's input grid → output grid, the files it
 * would write, then the planned provenance skeleton (stable JSON). Nothing is written.
 */
import type { ProvenanceHeader } from "../provenance/header.ts";
import { stringifyStable } from "../provenance/stable_json.ts";
import type { Plan } from "../recipe/plan.ts";
import { columnNorms } from "../volume/affine.ts";
import type { Job } from "./messages.ts";
import { formatGeometry, planJob } from "./plan.ts";
import type { PlannedOutput } from "./preflight.ts";

/**
 * Prints the plan of every job and the provenance skeleton to stdout; a subject whose headers
 * cannot be read is reported (stderr) and planned as failed. Returns the number of those.
 */
export async function printDryRun(
  jobs: readonly Job[],
  planned: readonly PlannedOutput[],
  header: ProvenanceHeader,
  plan: Plan,
): Promise<number> {
  let failed = 0;
  const lines: string[] = [];
  const subjects: Record<string, unknown>[] = [];
  const steps = plan.steps.map((s) => ({
    index: s.index,
    name: s.definition.name,
    kind: s.definition.kind,
    params: s.params,
  }));
  for (const job of jobs) {
    let plans;
    try {
      plans = await planJob(job, plan);
    } catch (e) {
      failed++;
      const message = e instanceof Error ? e.message : String(e);
      console.error(`medprep: subject "${job.id}" (row ${job.row}): ${message}`);
      subjects.push({ id: job.id, row: job.row, status: "failed", error: { step: 0, message } });
      continue;
    }
    lines.push(`subject "${job.id}" (row ${job.row}):`);
    for (const p of plans) {
      lines.push(
        `  ${p.role}: ${formatGeometry(p.input, p.frames)} → ${formatGeometry(p.output, p.frames)}`,
      );
    }
    const outputs = planned.filter((o) => o.id === job.id);
    for (const o of outputs) lines.push(`  writes ${o.path}`);
    subjects.push({
      id: job.id,
      row: job.row,
      status: "planned",
      ...(job.metadata ? { metadata: job.metadata } : {}),
      inputs: plans.map((p) => ({
        role: p.role,
        path: job.paths[p.role],
        shape: p.input.shape,
        frames: p.frames,
        spacing: columnNorms(p.input.affine),
        affine: p.input.affine,
        dtype: p.dtype,
      })),
      steps,
      outputs: outputs.map((o) => ({ role: o.role, copy: o.copy, path: o.path })),
    });
  }
  console.log(lines.join("\n"));
  console.log(stringifyStable({ ...header, status: "planned", subjects }).trimEnd());
  return failed;
}
