/**
 * Flags of `run` that mean something only with another flag: given alone they are an error
 * (exit 2) naming the partner, never silently ignored.
 */
import { type Issue, UsageError } from "../errors.ts";

/** [flag, commander key, is the partner present, message] */
const RULES: [string, string, (o: Record<string, unknown>) => boolean, string][] = [
  [
    "--shard-count",
    "shardCount",
    (o) => o.shard === "auto",
    "Cannot use --shard-count without --shard auto (it is N for a Kubernetes Indexed Job; with --shard I/N give N there)",
  ],
  ["--copy", "copy", (o) => o.replay !== undefined, "Cannot use --copy without --replay"],
  [
    "--id-from",
    "idFrom",
    (o) => o.input !== undefined,
    "Cannot use --id-from without --input (a manifest names its ids)",
  ],
  ["--json", "json", (o) => o.dryRun === true, "Cannot use --json without --dry-run"],
];

/** @throws UsageError listing every flag given without its partner */
export function checkPartnerFlags(opts: Record<string, unknown>): void {
  const issues: Issue[] = [];
  for (const [flag, key, partner, message] of RULES) {
    if (opts[key] !== undefined && opts[key] !== false && !partner(opts)) {
      issues.push({ path: flag, message });
    }
  }
  if (issues.length) throw new UsageError(issues);
}
