/**
 * Pre-flight checks, before any subject is read, on the outputs the plan's output planner
 * rendered (names already checked there): inputs that are the same file as an output (refused),
 * an output directory that cannot be written, and a rough free-space estimate (a warning).
 */
import { type Issue, ManifestError, UsageError } from "../errors.ts";
import type { PlannedOutput } from "../recipe/output_names.ts";
import type { Plan } from "../recipe/plan.ts";
import type { Grid } from "../volume/grid.ts";
import { formatBytes, readFreeBytes } from "./disk_space.ts";
import { findConfinementIssues } from "./confine.ts";
import { planJob } from "./plan.ts";
import type { Job } from "./messages.ts";
import { checkedSize } from "../nifti/regular_file.ts";
import { Listings } from "./listings.ts";
import { indexInputFiles } from "./same_file.ts";

export type { PlannedOutput } from "../recipe/output_names.ts";

function realOrSelf(path: string): string {
  try {
    return Deno.realPathSync(path);
  } catch {
    return path;
  }
}

/**
 * Inputs that are also an output of the run (the run would overwrite its own input): by name,
 * and as the same file on disk (same_file.ts: links, hard links) for the outputs that exist
 * already (an output that does not exist cannot be an existing input, so a fresh output folder
 * costs no stat per input).
 */
export function findInputOutputClashes(
  jobs: readonly Job[],
  outputs: readonly PlannedOutput[],
  outDir: string,
  file?: string,
): Issue[] {
  const named = new Map<string, { job: Job; role: string }>();
  for (const job of jobs) {
    for (const [role, p] of Object.entries(job.paths)) if (p) named.set(p, { job, role });
  }
  // The same file on disk (a link, a hard link), for outputs that exist (same_file.ts).
  const onDisk = indexInputFiles(named);
  const dir = realOrSelf(outDir);
  const listings = new Listings(dir);
  const issues: Issue[] = [];
  for (const o of outputs) {
    const at = `${dir}/${o.path}`;
    const hit = named.get(`${outDir}/${o.path}`) ?? named.get(at) ??
      (listings.has(at) ? onDisk.find(at) : undefined);
    if (hit) {
      issues.push({
        file,
        path: `row ${o.row}`,
        message: `Cannot write "${outDir}/${o.path}": it is the input of row ${hit.job.row} ` +
          `(subject "${hit.job.id}", role ${hit.role}); choose another --out or save name`,
      });
    }
  }
  return issues;
}

/**
 * Creates the output directory and proves it is writable with a probe file.
 * @returns an issue when it is not
 */
export async function checkWritable(outDir: string): Promise<Issue | undefined> {
  try {
    await Deno.mkdir(outDir, { recursive: true });
    const probe = `${outDir}/.medprep-tmp-probe-${crypto.randomUUID()}`;
    await Deno.writeTextFile(probe, "");
    await Deno.remove(probe);
    return undefined;
  } catch (e) {
    const reason = e instanceof Deno.errors.AlreadyExists || e instanceof Deno.errors.NotADirectory
      ? "it (or a parent) is a file, not a directory"
      : e instanceof Deno.errors.PermissionDenied || e instanceof Deno.errors.NotCapable
      ? "permission denied"
      : e instanceof Error
      ? e.message
      : String(e);
    return { path: "--out", message: `Cannot write to "${outDir}": ${reason}` };
  }
}

/** Rough bytes the outputs need: input file sizes × planned voxel ratio × copies. */
function estimateOutputBytes(
  jobs: readonly Job[],
  outputs: readonly PlannedOutput[],
  ratio: number,
): number {
  const byId = new Map(jobs.map((j) => [j.id, j]));
  const sizes = new Map<string, number>();
  let total = 0;
  // A sidecar is small; a file of several roles (npz: `image+label`) holds each of them.
  const inputs = (o: PlannedOutput) =>
    o.sidecarOf ? [] : o.role.split("+").map((r) => byId.get(o.id)?.paths[r]);
  for (const input of outputs.flatMap(inputs)) {
    if (!input) continue;
    let size = sizes.get(input);
    if (size === undefined) {
      try {
        size = checkedSize(input) ?? Deno.statSync(input).size; // the manifest check's stat
      } catch {
        size = 0; // checked by the manifest reader
      }
      sizes.set(input, size);
    }
    total += size * ratio;
  }
  return total;
}

/**
 * Every pre-flight check of a run on the jobs' planned outputs (from the output planner).
 * @throws ManifestError (exit 2) on input/output clashes; UsageError (exit 2) when --out cannot
 * be written
 */
export async function runPreflight(
  jobs: readonly Job[],
  outputs: readonly PlannedOutput[],
  plan: Plan,
  options: {
    outDir: string;
    /** Every subject of the manifest (all shards): no output may overwrite any input. */
    allJobs?: readonly Job[];
    manifestFile?: string;
    dryRun: boolean;
    warn(line: string): void;
    /** Free-space probe (default: `df`); tests inject one. */
    readFree?: (dir: string) => Promise<number | { skipped: string }>;
  },
): Promise<void> {
  const issues = [
    ...findInputOutputClashes(
      options.allJobs ?? jobs,
      outputs,
      options.outDir,
      options.manifestFile,
    ),
    ...findConfinementIssues(options.outDir, outputs, options.manifestFile),
  ];
  if (issues.length > 0) throw new ManifestError(issues);
  if (!options.dryRun) {
    const issue = await checkWritable(options.outDir);
    if (issue) throw new UsageError([issue]);
  }
  const free = await (options.readFree ?? readFreeBytes)(options.outDir);
  if (typeof free !== "number") {
    options.warn(`medprep: free disk space not checked: ${free.skipped}`);
    return;
  }
  let ratio = 1;
  if (jobs.length > 0) {
    let first;
    try {
      first = planJob(jobs[0], plan)[0];
    } catch { /* reported when the subject runs */ }
    const voxels = (g?: Grid) => g ? g.shape[0] * g.shape[1] * g.shape[2] : 0;
    if (first?.output) ratio = voxels(first.output) / Math.max(1, voxels(first.input));
  }
  const needed = estimateOutputBytes(jobs, outputs, ratio * 2);
  if (needed > free) {
    options.warn(
      `medprep: warning: outputs may need about ${formatBytes(needed)} but only ${
        formatBytes(free)
      } are free under "${options.outDir}"`,
    );
  }
}
