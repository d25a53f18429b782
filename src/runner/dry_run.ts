/**
 * `run --dry-run` output: per subject, each role's input grid → output grid, the files it
 * would write and, with `--resume`, whether it would be kept or rebuilt and why; with `--json`
 * only the planned provenance skeleton (stable JSON, the same facts per subject). Nothing is
 * written.
 */
import type { ProvenanceHeader } from "../provenance/header.ts";
import { stableJsonChunks, TextBlocks } from "../provenance/stable_json.ts";
import type { Plan } from "../recipe/plan.ts";
import { columnNorms } from "../volume/affine.ts";
import type { Job } from "./messages.ts";
import { formatGeometry, planJob } from "./plan.ts";
import type { PlannedOutput } from "./preflight.ts";

/** What `--resume` would do with one subject. */
export interface ResumeDecision {
  action: "keep" | "rebuild" | "build";
  reason: string;
}

function resumeLine(d: ResumeDecision): string {
  const verb = d.action === "keep" ? "keeps" : d.action === "rebuild" ? "rebuilds" : "builds";
  return `  --resume ${verb} it: ${d.reason}`;
}

function summaryLine(
  subjects: number,
  files: number,
  resume: ReadonlyMap<string, ResumeDecision> | undefined,
): string {
  const counts = resume
    ? ([["keep", "kept"], ["rebuild", "rebuilt"], ["build", "built"]] as const).map(([a, word]) =>
      `${[...resume.values()].filter((d) => d.action === a).length} ${word}`
    ).join(", ")
    : "";
  return `dry run: ${subjects} subject${subjects === 1 ? "" : "s"}${
    counts ? ` (--resume: ${counts})` : ""
  }, ${files} file${
    files === 1 ? "" : "s"
  } planned, nothing written; --json prints the planned provenance`;
}

/**
 * Prints the plan of every job to stdout: readable text, or with `json` only the provenance
 * skeleton; a subject whose headers cannot be read is reported (stderr) and planned as failed.
 * Returns the number of those. Linear in the subjects and streamed: a 100,000-row manifest
 * never becomes one string.
 */
export function printDryRun(
  jobs: readonly Job[],
  planned: readonly PlannedOutput[],
  header: ProvenanceHeader,
  plan: Plan,
  options: { json?: boolean; resume?: ReadonlyMap<string, ResumeDecision> } = {},
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
    const decision = options.resume?.get(job.id);
    const outputs = outputsOf.get(job.id) ?? [];
    if (!options.json) {
      const lines = [`subject "${job.id}" (row ${job.row}):`];
      if (decision) lines.push(resumeLine(decision));
      for (const p of plans) {
        lines.push(
          `  ${p.role}: ${formatGeometry(p.input, p.frames)} → ${
            formatGeometry(p.output, p.frames)
          }`,
        );
      }
      for (const o of outputs) lines.push(`  writes ${o.path}`);
      out.add(lines.join("\n") + "\n");
      continue;
    }
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
      ...(decision ? { resume: decision } : {}),
    });
  }
  if (options.json) {
    for (const piece of stableJsonChunks({ ...header, status: "planned", subjects })) {
      out.add(piece);
    }
  } else out.add(summaryLine(jobs.length, planned.length, options.resume) + "\n");
  out.end();
  return failed;
}
