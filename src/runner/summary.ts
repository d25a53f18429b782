/**
 * The end of a run: one line of counts (unless --quiet), every failed subject with its step and
 * message (always, to stderr), and the exit code of SPEC §8 (0 done, 1 failed, 130 interrupted).
 */
import type { Provenance } from "../provenance/types.ts";

/** Prints the run summary (every failed subject, always) and returns the exit code. */
export function summarizeRun(
  p: Provenance,
  path: string,
  { log, interrupted, quiet = false }: {
    log: (line: string) => void;
    interrupted: boolean;
    /** `--quiet`: no counts line, but the number of warnings is still printed. */
    quiet?: boolean;
  },
): number {
  const count = (s: string) => p.subjects.filter((r) => r.status === s).length;
  const failed = p.subjects.filter((r) => r.status === "failed");
  const warnings = p.subjects.reduce((n, r) => n + (r.warnings?.length ?? 0), 0);
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  log(
    `medprep: ${count("done")} done, ${failed.length} failed, ${
      count("interrupted") + count("pending")
    } not finished, ${plural(warnings, "warning")}; provenance: ${path}`,
  );
  if (quiet && warnings > 0) {
    console.error(
      `medprep: ${plural(warnings, "warning")} (not shown with --quiet; each is in ${path})`,
    );
  }
  if (failed.length > 0) {
    console.error(`medprep: ${failed.length} subject(s) failed:`);
    for (const r of failed) {
      const e = r.error!;
      console.error(`  ${r.id} (row ${r.row}): steps[${e.step}] (${e.name}): ${e.message}`);
    }
  }
  if (interrupted) {
    console.error("medprep: interrupted; run again with --resume to finish");
    return 130;
  }
  return failed.length > 0 ? 1 : 0;
}
