/**
 * `run --dry-run` output: per subject, each role's input grid → output grid, the files it
 * would write, then the planned provenance skeleton (stable JSON). Nothing is written.
 */
import type { ProvenanceHeader } from "../provenance/header.ts";
import { stableJsonChunks, TextBlocks } from "../provenance/stable_json.ts";
import type { Plan } from "../recipe/plan.ts";
import { columnNorms } from "../volume/affine.ts";
import type { Job } from "./messages.ts";
import { formatGeometry, planJob } from "./plan.ts";
import type { PlannedOutput } from "./preflight.ts";

/**
 * Prints the plan of every job and the provenance skeleton to stdout; a subject whose headers
 * cannot be read is reported (stderr) and planned as failed. Returns the number of those.
 * Linear in the subjects and streamed: a 100,000-row manifest never becomes one string.
 */
export function printDryRun(
  jobs: readonly Job[],
  planned: readonly PlannedOutput[],
  header: ProvenanceHeader,
  plan: Plan,
): number {
  let failed = 0;
  const out = new TextBlocks((text) => console.log(text), { lines: true });
  const subjects: Record<string, unknown>[] = [];
  const steps = plan.steps.map((s) => ({
    index: s.index,
    name: s.definition.name,
    kind: s.definition.kind,
    params: s.params,
  }));
  const outputsOf = new Map<string, PlannedOutput[]>();
  for (const o of planned) {
    const list = outputsOf.get(o.id);
    if (list) list.push(o);
    else outputsOf.set(o.id, [o]);
  }
  for (const job of jobs) {
    let plans;
    try {
      plans = planJob(job, plan);
    } catch (e) {
      failed++;
      const message = e instanceof Error ? e.message : String(e);
      console.error(`medprep: subject "${job.id}" (row ${job.row}): ${message}`);
      subjects.push({ id: job.id, row: job.row, status: "failed", error: { step: 0, message } });
      continue;
    }
    const lines = [`subject "${job.id}" (row ${job.row}):`];
    for (const p of plans) {
      lines.push(
        `  ${p.role}: ${formatGeometry(p.input, p.frames)} → ${formatGeometry(p.output, p.frames)}`,
      );
    }
    const outputs = outputsOf.get(job.id) ?? [];
    for (const o of outputs) lines.push(`  writes ${o.path}`);
    out.add(lines.join("\n") + "\n");
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
  for (const piece of stableJsonChunks({ ...header, status: "planned", subjects })) out.add(piece);
  out.end();
  return failed;
}
