/**
 * The end of a run: one line of counts (unless --quiet), every failed subject with its step and
 * message (always, to stderr), and the exit code of SPEC §8 (0 done, 1 failed, 130 interrupted).
 */
import type { Provenance } from "../provenance/types.ts";

/** Prints the run summary (every failed subject, always) and returns the exit code. */
export function summarizeRun(
  p: Provenance,
  path: string,
  { log, interrupted }: { log: (line: string) => void; interrupted: boolean },
): number {
  const count = (s: string) => p.subjects.filter((r) => r.status === s).length;
  const failed = p.subjects.filter((r) => r.status === "failed");
  log(
    `medprep: ${count("done")} done, ${failed.length} failed, ${
      count("interrupted") + count("pending")
    } not finished; provenance: ${path}`,
  );
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
