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

export type { PlannedOutput } from "../recipe/output_names.ts";

function realOrSelf(path: string): string {
  try {
    return Deno.realPathSync(path);
  } catch {
    return path;
  }
}

/** Inputs that are also an output of the run (the run would overwrite its own input). */
export function findInputOutputClashes(
  jobs: readonly Job[],
  outputs: readonly PlannedOutput[],
  outDir: string,
  file?: string,
): Issue[] {
  const inputs = new Map<string, { job: Job; role: string }>();
  for (const job of jobs) {
    for (const [role, p] of Object.entries(job.paths)) {
      if (p) inputs.set(realOrSelf(p), { job, role });
    }
  }
  const dir = realOrSelf(outDir);
  const issues: Issue[] = [];
  for (const o of outputs) {
    const hit = inputs.get(realOrSelf(`${dir}/${o.path}`)) ?? inputs.get(`${outDir}/${o.path}`);
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
async function estimateOutputBytes(
  jobs: readonly Job[],
  outputs: readonly PlannedOutput[],
  ratio: number,
): Promise<number> {
  const byId = new Map(jobs.map((j) => [j.id, j]));
  let total = 0;
  for (const o of outputs) {
    const input = byId.get(o.id)?.paths[o.role];
    if (!input) continue;
    try {
      total += (await Deno.stat(input)).size * ratio;
    } catch { /* checked by the manifest reader */ }
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
    const first = (await planJob(jobs[0], plan).catch(() => []))[0];
    const voxels = (g?: Grid) => g ? g.shape[0] * g.shape[1] * g.shape[2] : 0;
    if (first?.output) ratio = voxels(first.output) / Math.max(1, voxels(first.input));
  }
  const needed = await estimateOutputBytes(jobs, outputs, ratio * 2);
  if (needed > free) {
    options.warn(
      `medprep: warning: outputs may need about ${formatBytes(needed)} but only ${
        formatBytes(free)
      } are free under "${options.outDir}"`,
    );
  }
}
