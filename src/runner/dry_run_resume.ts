/**
 * `run --dry-run --resume`: what `--resume` would do with each subject, and why, read from the
 * earlier run's provenance file and journal without changing anything (no lock, nothing removed).
 */
import type { ProvenanceHeader } from "../provenance/header.ts";
import type { ResumeDecision } from "./dry_run.ts";
import type { Job } from "./messages.ts";
import type { PlannedOutput } from "./preflight.ts";
import { describeRecipe, readPreviousRun, sameRecipe, settlePreviousRun } from "./previous_run.ts";
import { findReusable } from "./resume.ts";

/** The decision for every job: keep, rebuild (with the reason) or build (never finished). */
export async function planResume(
  provenancePath: string,
  jobs: readonly Job[],
  planned: readonly PlannedOutput[],
  current: { header: ProvenanceHeader; outDir: string; force: boolean },
): Promise<Map<string, ResumeDecision>> {
  const previous = await readPreviousRun(provenancePath);
  const decisions = new Map<string, ResumeDecision>();
  const foreign = previous.sources.find((s) => !sameRecipe(s.header, current.header));
  // Another recipe's outputs: refused exactly as the run would refuse (exit 2); no side effects
  // without --force.
  if (foreign && !current.force) {
    await settlePreviousRun(previous, current.header, {
      resume: true,
      force: false,
      outDir: current.outDir,
      log: () => {},
    });
  }
  const { reused, rebuilt } = await findReusable(previous, jobs, planned, current);
  const rebuiltById = new Map(rebuilt.map((r) => [r.id, r])); // by id: linear (issue 15.3)
  const finished = new Map<string, string>();
  for (const source of previous.sources) {
    for (const r of source.records) finished.set(r.id, r.status);
  }
  for (const job of jobs) {
    const id = job.id;
    const rebuild = rebuiltById.get(id);
    if (reused.has(id)) {
      decisions.set(id, {
        action: "keep",
        reason: "finished; inputs, recipe, medprep and outputs unchanged",
      });
    } else if (rebuild) {
      decisions.set(id, {
        action: "rebuild",
        reason: rebuild.reason === "recipe changed" && foreign
          ? `recipe changed (was ${describeRecipe(foreign.header)}; --force removes its files)`
          : rebuild.reason,
      });
    } else {
      const status = finished.get(id);
      decisions.set(id, {
        action: "build",
        reason: status === undefined
          ? previous.sources.length === 0 ? "no earlier run in --out" : "not in the earlier run"
          : `the earlier run left it ${status}`,
      });
    }
  }
  for (const p of previous.problems) {
    console.error(`medprep: warning: --resume would ignore "${p.file}": ${p.message}`);
  }
  return decisions;
}
