/**
 * Dataset statistics for a run (issue 13.2/13.4): taken from `--stats FILE`, reused from
 * `<out>/dataset-stats.json` on `--resume` when the recipe prefix and every input file are
 * unchanged, or computed by the statistics pass (stats_pass.ts) over every subject of the
 * manifest — whatever `--shard`, `--subject` or `--limit` select, so a selection's outputs equal
 * the full run's — and written to `<out>/dataset-stats.json`.
 */
import { ManifestError, UsageError } from "../errors.ts";
import { sha256Bytes, sha256File } from "../nifti/hash.ts";
import { type Plan, rolesOf } from "../recipe/plan.ts";
import { stringifyStable, writeJsonAtomic } from "../provenance/stable_json.ts";
import type { ResolvedRecipe, RunFileRecord } from "../provenance/types.ts";
import type { DatasetStats } from "../steps/dataset_stats.ts";
import { assertStillResolved } from "./confine.ts";
import type { Job } from "./messages.ts";
import { findUserFiles, recordedAs } from "./run_files.ts";
import {
  checkStatsFile,
  computeDatasetStats,
  type DatasetStatsFile,
  findDatasetSteps,
  inputsKey,
  type PassOptions,
  statsByStep,
} from "./stats_pass.ts";

/** The name of the statistics file in the output directory. */
export const DATASET_STATS_FILE = "dataset-stats.json";

/** What the run's workers and provenance get. */
export interface RunDataset {
  /** Statistics by step index (empty without dataset steps). */
  byStep: Record<number, DatasetStats>;
  /** For provenance: where the statistics came from, and the file's content. */
  record?: { source: "computed" | "reused" | "given"; path: string; stats: DatasetStatsFile };
  /** `dataset-stats.json` as this run leaves it, for provenance `runFiles`. */
  file?: RunFileRecord;
  interrupted: boolean;
}

/**
 * Writes `dataset-stats.json` into `outDir` — a run-level file like the output manifest
 * (run_files.ts): it replaces only a file an earlier run here recorded (`recorded`) or one with
 * exactly these bytes (another shard's, a `--stats` file given from there); anything else there
 * is a file medprep did not write and stops the run (exit 2) before any subject is processed.
 */
async function writeStatsFile(
  outDir: string,
  file: DatasetStatsFile,
  recorded: readonly RunFileRecord[],
): Promise<RunFileRecord> {
  const path = `${outDir}/${DATASET_STATS_FILE}`;
  const sha256 = sha256Bytes(stringifyStable(file));
  const same = (p: string) => sha256File(p).then((h) => h === sha256, () => false);
  const recordedHere = recordedAs(recorded, DATASET_STATS_FILE);
  // A file there is judged only while --out is still this run's folder (else: moved, exit 1).
  assertStillResolved(outDir);
  const issues = await findUserFiles(outDir, [{
    name: DATASET_STATS_FILE,
    vouch: async (p) => await same(p) || await recordedHere(p),
  }]);
  if (issues.length > 0) throw new ManifestError(issues);
  if (!(await same(path))) {
    assertStillResolved(outDir); // --out moved or replaced by a link meanwhile: stop
    await writeJsonAtomic(path, file);
  }
  return { path: DATASET_STATS_FILE, sha256 };
}

/**
 * Reads a statistics file given by `--stats`.
 * @throws UsageError when it cannot be read or does not fit the recipe
 */
export async function readStatsFile(
  path: string,
  plan: Plan,
  resolved: ResolvedRecipe,
): Promise<DatasetStatsFile> {
  let file: DatasetStatsFile;
  try {
    file = JSON.parse(await Deno.readTextFile(path));
  } catch (e) {
    throw new UsageError([{
      path: "--stats",
      message: `Cannot read "${path}": ${(e as Error).message}`,
    }]);
  }
  const problems = checkStatsFile(file, plan, resolved);
  if (problems.length) {
    throw new UsageError(
      problems.map((p) => ({ path: "--stats", message: `Cannot use "${path}": ${p}` })),
    );
  }
  return file;
}

/** sha256 over the input files of every job, as the statistics pass records them. */
async function hashInputs(jobs: readonly Job[], plan: Plan): Promise<string> {
  const inputs: Record<string, string[]> = {};
  for (const job of jobs) {
    const lines: string[] = [];
    for (const role of rolesOf(plan, job.paths)) {
      const path = job.paths[role];
      if (!path) continue;
      const pair = job.pairs?.[path];
      lines.push(`${role}\t${await sha256File(path)}\t${pair ? await sha256File(pair) : ""}`);
    }
    inputs[job.id] = lines.sort();
  }
  return inputsKey(inputs);
}

/** Reuses the previous statistics when recipe prefix and inputs are unchanged (`--resume`). */
async function reusable(
  path: string,
  jobs: readonly Job[],
  plan: Plan,
  resolved: ResolvedRecipe,
): Promise<DatasetStatsFile | undefined> {
  let file: DatasetStatsFile;
  try {
    file = JSON.parse(await Deno.readTextFile(path));
  } catch {
    return undefined;
  }
  if (checkStatsFile(file, plan, resolved).length || file.failed.length) return undefined;
  if (file.inputs.subjects !== jobs.length) return undefined;
  try {
    return (await hashInputs(jobs, plan)) === file.inputs.sha256 ? file : undefined;
  } catch {
    return undefined;
  }
}

/** The dataset statistics of a run; see the module comment. */
export async function prepareRunDataset(
  plan: Plan,
  resolved: ResolvedRecipe,
  allJobs: readonly Job[],
  options: PassOptions & {
    stats?: DatasetStatsFile;
    resume: boolean;
    outDir: string;
    /** Run-level files earlier runs in `outDir` recorded (provenance `runFiles`). */
    recorded?: readonly RunFileRecord[];
  },
): Promise<RunDataset> {
  const recorded = options.recorded ?? [];
  const path = `${options.outDir}/${DATASET_STATS_FILE}`;
  if (findDatasetSteps(plan).length === 0) {
    if (options.stats) {
      options.log("medprep: warning: --stats is ignored: no step needs dataset statistics");
    }
    return { byStep: {}, interrupted: false };
  }
  if (options.stats) {
    const file = options.stats;
    return {
      byStep: statsByStep(file),
      record: { source: "given", path: DATASET_STATS_FILE, stats: file },
      file: await writeStatsFile(options.outDir, file, recorded),
      interrupted: false,
    };
  }
  if (options.resume) {
    const file = await reusable(path, allJobs, plan, resolved);
    if (file) {
      options.log(
        `medprep: --resume reuses ${DATASET_STATS_FILE} (recipe prefix and inputs unchanged)`,
      );
      return {
        byStep: statsByStep(file),
        record: { source: "reused", path: DATASET_STATS_FILE, stats: file },
        file: await writeStatsFile(options.outDir, file, recorded),
        interrupted: false,
      };
    }
  }
  const { file, interrupted } = await computeDatasetStats(plan, resolved, allJobs, options);
  if (interrupted) return { byStep: {}, interrupted };
  for (const f of file.failed) {
    options.log(
      `medprep: warning: subject "${f.id}" left out of the dataset statistics: ${f.message}`,
    );
  }
  return {
    byStep: statsByStep(file),
    record: { source: "computed", path: DATASET_STATS_FILE, stats: file },
    file: await writeStatsFile(options.outDir, file, recorded),
    interrupted,
  };
}
