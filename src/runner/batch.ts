/**
 * A whole `run`: validate recipe + manifest, select the shard, pre-flight checks, `--dry-run`
 * plan, `--resume` reuse, the worker pool with progress and interrupt handling, clean-up and
 * the provenance file. Returns the exit code (SPEC §8): 0 all done, 1 some failed, 130
 * interrupted; invalid input throws RecipeError / ManifestError / UsageError (exit 2, nothing
 * written).
 */
import { basename, resolve } from "node:path";
import { ManifestError, UsageError } from "../errors.ts";
import { didYouMean } from "../recipe/did_you_mean.ts";
import { readManifest } from "../manifest/manifest.ts";
import { bindManifest } from "../recipe/bind_manifest.ts";
import { selectWhere } from "../recipe/select_where.ts";
import { stepFilesOf, withSeed } from "../recipe/plan.ts";
import { readRecipe } from "../recipe/validate.ts";
import { withPreviews } from "../recipe/with_previews.ts";
import { createProvenanceHeader, resolveRecipe } from "../provenance/header.ts";
import { compareIds, deriveRunStatus } from "../provenance/merge.ts";
import { writeJsonAtomic } from "../provenance/stable_json.ts";
import type { Provenance, SubjectRecord } from "../provenance/types.ts";
import { createStaging, removeStaleStaging, sweepUntilClean } from "./interrupt.ts";
import { createOutDirGuard, OutDirMovedError, resolveOutDir } from "./confine.ts";
import { diskFullLine } from "./disk_space.ts";
import { acquireOutputLock } from "./lock.ts";
import { createPublisher } from "./staging.ts";
import { runFileNames, writeOutputManifest } from "../provenance/output_manifest.ts";
import { checkOutputNames, checkRunFiles, findUserFiles } from "./run_files.ts";
import { executeJobs } from "./execute.ts";
import { deriveWorkerPermissions } from "./pool.ts";
import { firstBuffersFor } from "./first_buffers.ts";
import type { Job } from "./messages.ts";
import { runPreflight } from "./preflight.ts";
import { printDryRun } from "./dry_run.ts";
import { planResume } from "./dry_run_resume.ts";
import { chooseProgressMode } from "./progress.ts";
import { findReusable } from "./resume.ts";
import {
  latestRecords,
  type PreviousSource,
  readPreviousRun,
  refuseReplayOverRecorded,
  removeSupersededOutputs,
  settlePreviousRun,
} from "./previous_run.ts";
import { indexInputFiles } from "./same_file.ts";
import { resolvePairs } from "./pairs.ts";
import { createJournal, journalPathOf } from "../provenance/journal.ts";
import { parseShard, provenanceFileName, selectShard } from "./shard.ts";
import { selectReplay } from "./replay.ts";
import { summarizeRun } from "./summary.ts";
import { isReportOf, reportPathOf, writeReport } from "../report/write_report.ts";
import { planMemory } from "./budget_run.ts";
import { prepareRunDataset, readStatsFile } from "./dataset_run.ts";
import { findDatasetSteps } from "./stats_pass.ts";
import { findLibdeflate } from "../nifti/libdeflate.ts";

/** Everything `run` takes from the command line. */
export interface RunOptions {
  /** Path of the recipe YAML file. */
  recipe: string;
  /** Manifest file (CSV, TSV, JSON, JSONL, MSD `dataset.json`); else the recipe's. */
  manifest?: string;
  /** Glob of input files instead of a manifest (id = file stem, role `image`). */
  input?: string;
  /** With `input`: ids from the file stem (default) or the name of each file's folder. */
  idFrom?: "stem" | "dir";
  /** Output directory; default `out/<recipe name>/`. */
  out?: string;
  /** Parallel workers; default one per core. */
  workers?: number;
  /** Run seed overriding the recipe's. */
  seed?: number;
  /** Rebuild only subjects whose inputs, recipe or tool changed, or whose outputs are missing. */
  resume?: boolean;
  /** Remove the outputs an earlier, different recipe recorded in `--out` (or a damaged provenance). */
  force?: boolean;
  /** Plan and print, write nothing. */
  dryRun?: boolean;
  /** With `dryRun`: print only the planned provenance (JSON). */
  json?: boolean;
  /** `I/N` or `auto`: process a deterministic 1/N of the subjects. */
  shard?: string;
  /** N for `shard: "auto"`, when the environment does not say it. */
  shardCount?: number;
  /** No progress or summary lines on stderr. */
  quiet?: boolean;
  /** Also write a PNG preview of every output (as `save: { preview: true }`). */
  preview?: boolean;
  /** Rebuild one sample (subject, copy) from a provenance file. */
  replay?: { provenance: string; subject: string; copy: number };
  /** Only these subject ids (`--subject`, repeatable), in manifest order. */
  subjects?: string[];
  /** Only the first N subjects in manifest order (`--limit`). */
  limit?: number;
  /** Dataset statistics file to use instead of the statistics pass (`--stats`, issue 13.4). */
  stats?: string;
  /** Metadata conditions (`--where`, repeatable; with the recipe's `load: { where }`). */
  where?: string[];
  /** The command line recorded in provenance. */
  command: string[];
  /** Reads an environment variable (default `Deno.env.get`). */
  env?: (name: string) => string | undefined;
}

const argError = (path: string, message: string) => new UsageError([{ path, message }]);

/**
 * The manifest rows `--subject` (repeatable) and `--limit` select, in manifest order.
 * @throws UsageError naming an id the manifest does not have
 */
export function selectSubjects<R extends { id: string }>(
  rows: readonly R[],
  options: { subjects?: readonly string[]; limit?: number },
): R[] {
  let selected = [...rows];
  if (options.subjects?.length) {
    const known = new Set(rows.map((r) => r.id));
    const unknown = options.subjects.filter((id) => !known.has(id));
    if (unknown.length) {
      throw new UsageError(unknown.map((id) => ({
        path: "--subject",
        message: `Cannot select subject ${JSON.stringify(id)}: the manifest has no such id${
          didYouMean(id, known)
        }`,
      })));
    }
    const wanted = new Set(options.subjects);
    selected = selected.filter((r) => wanted.has(r.id));
  }
  if (options.limit !== undefined) selected = selected.slice(0, options.limit);
  return selected;
}

/** Runs a recipe over a manifest; see the module comment for the exit codes. */
export async function runBatch(options: RunOptions): Promise<number> {
  const getEnv = options.env ?? ((name: string) => Deno.env.get(name));
  const log = (line: string) => options.quiet || console.error(line);
  const recipePath = resolve(options.recipe);
  const read = await readRecipe(recipePath);
  const { recipe, text } = read;
  // Previews (issue 14.1): run --preview, and the recipe's window; in the resolved recipe.
  const recipePlan = withPreviews(read.plan, { force: options.preview });
  if (options.manifest && options.input) {
    throw argError("--manifest", "Cannot use both --manifest and --input: give one");
  }
  // The workers' inflater (issue 15.1): MEDPREP_INFLATE is checked before anything is written.
  const libdeflate = findLibdeflate();
  const inflater = libdeflate ? { libdeflate } : {};
  const source = options.manifest ?? options.input ?? recipe.manifest;
  if (!source) {
    throw argError(
      "--manifest",
      `Cannot run "${options.recipe}": give --manifest FILE or --input GLOB, or set manifest: in the recipe`,
    );
  }
  const manifest = await readManifest(options.input ? source : resolve(source), {
    glob: options.input !== undefined,
    idFrom: options.idFrom,
  });
  const bound = bindManifest(recipePlan, manifest);
  for (const w of bound.warnings) log(`medprep: warning: ${w}`);
  const plan = withSeed(recipePlan, options.seed);
  // Workers bind this plain recipe with the same bindRecipe (definitions cannot cross).
  const resolved = {
    ...resolveRecipe(recipe, options.seed),
    steps: recipePlan.recipe.steps, // with the sink's preview params (with_previews.ts)
  };
  // `where` defines the dataset: shards split the selected subjects (manifest/where.ts).
  const matching = selectWhere(manifest, plan, { where: options.where });
  const rows = selectSubjects(matching, options);
  // --stats is checked before anything is written (exit 2, issue 13.4).
  const needsStats = findDatasetSteps(plan).length > 0;
  if (options.stats && !needsStats) {
    log("medprep: warning: --stats is ignored: no step needs dataset statistics");
  }
  const givenStats = options.stats && needsStats
    ? await readStatsFile(options.stats, plan, resolved)
    : undefined;
  const allIds = matching.map((r) => r.id).sort(compareIds);
  let shard = null;
  if (options.shard) {
    try {
      shard = parseShard(options.shard, {
        env: getEnv,
        shardCount: options.shardCount,
      });
    } catch (e) {
      throw argError("--shard", (e as Error).message);
    }
  }
  const assigned = new Set(shard ? selectShard(allIds, shard) : allIds);
  let jobs: Job[] = resolvePairs(
    rows.filter((r) => assigned.has(r.id))
      .map((r) => ({
        id: r.id,
        row: r.row,
        paths: r.paths,
        ...(r.metadata ? { metadata: r.metadata } : {}),
      })),
  );
  if (options.replay) jobs = await selectReplay(jobs, options.replay, plan);
  // Resolved once (realpath): nothing is written or removed outside it (confine.ts).
  const outDir = resolveOutDir(options.out ?? `out/${recipe.name}`);
  // Issue #10.6: workers capped by cores and memory, a per-worker memory budget (budget_run.ts).
  const memory = planMemory(plan, recipe, recipePath, {
    requested: options.workers,
    subjects: jobs.length,
    env: getEnv,
    log,
  });
  const ids = new Set(jobs.map((j) => j.id));
  const planned = bound.outputs.filter((o) =>
    ids.has(o.id) && (options.replay === undefined || o.copy === options.replay.copy)
  );
  // Git processes and the source hash start now and run while the pre-flight checks read.
  const pendingHeader = createProvenanceHeader({
    recipePath,
    recipeText: text,
    resolved,
    manifest: {
      source: manifest.kind === "glob" ? manifest.source : resolve(manifest.source),
      kind: manifest.kind,
    },
    command: options.command,
    shard: shard ? { ...shard, assigned: [...assigned].sort(compareIds), all: allIds } : null,
  });
  pendingHeader.catch(() => {}); // awaited below, after the pre-flight checks
  await runPreflight(jobs, planned, plan, {
    outDir,
    allJobs: manifest.rows.map((r) => ({ id: r.id, row: r.row, paths: r.paths })),
    manifestFile: manifest.source,
    dryRun: options.dryRun ?? false,
    warn: log,
  });
  const header = await pendingHeader;
  const provenancePath = options.replay
    ? `${outDir}/provenance.replay-${options.replay.subject}-copy${options.replay.copy}.json`
    : `${outDir}/${provenanceFileName(shard)}`;
  if (options.dryRun) {
    const resume = options.resume
      ? await planResume(provenancePath, jobs, planned, {
        header,
        outDir,
        force: options.force ?? false,
      })
      : undefined;
    const failed = printDryRun(jobs, planned, header, plan, { json: options.json, resume });
    return failed > 0 ? 1 : 0;
  }

  using _lock = acquireOutputLock(outDir, shard, { warn: log });
  // Before every write or removal of the main process from here on: --out must still be the
  // folder resolved and locked (not moved, not a link put in its place; confine.ts).
  const guard = createOutDirGuard(outDir);
  const started = new Date().toISOString();
  // --- earlier runs in --out, --resume, the journal (issues 10.4, 11.8, 11.9) ---
  const found = await readPreviousRun(provenancePath);
  if (options.replay) refuseReplayOverRecorded(found, planned, outDir);
  // Issue 12.9: manifest.csv / dataset.json may replace only what an earlier run here recorded,
  // checked before --force removes anything; a damaged provenance cannot vouch for them, so
  // after its own message --resume / --force replace them with a warning.
  const runNames = runFileNames(basename(provenancePath));
  const damaged = found.problems.length > 0;
  const recordedRunFiles = found.sources.flatMap((s) => s.runFiles ?? []);
  const outputsOf = (sources: readonly PreviousSource[]) =>
    new Set(sources.flatMap((s) => s.records.flatMap((r) => r.outputs.map((o) => o.path))));
  const checkRun = async () => {
    if (!options.replay) {
      await checkRunFiles(
        outDir,
        [runNames.manifest, runNames.dataset],
        recordedRunFiles,
        damaged ? log : undefined,
      );
    }
    // Likewise every output name: something there that no provenance in --out records is a
    // user's (a file, link or folder), never replaced.
    checkOutputNames(outDir, planned, {
      recorded: outputsOf(found.sources),
      others: outputsOf(found.siblings),
      replace: damaged ? log : undefined,
    });
  };
  // report.html likewise: only over a report medprep wrote for this recipe or the one recorded
  // here (which --force replaces), refused before any work.
  const report = basename(reportPathOf(provenancePath));
  const reportIssues = options.replay ? [] : await findUserFiles(outDir, [{
    name: report,
    vouch: async (p) =>
      await isReportOf(p, header) ||
      (await Promise.all(found.sources.map((s) => isReportOf(p, s.header)))).some(Boolean),
  }]);
  if (reportIssues.length > 0) throw new ManifestError(reportIssues);
  if (!damaged) await checkRun();
  // The inputs of every subject of the manifest: never removed (by --force, or as an earlier
  // output no longer made).
  const inputs = indexInputFiles(
    manifest.rows.flatMap((r) =>
      Object.values(r.paths).flatMap((p) => p ? [[p, { id: r.id, row: r.row }] as const] : [])
    ),
  );
  const previous = await settlePreviousRun(found, header, {
    resume: options.resume ?? false,
    force: options.force ?? false,
    outDir,
    log,
    inputs,
  });
  if (damaged) await checkRun(); // only --resume / --force get here
  // What --force kept is no longer any provenance's file here: never written over.
  const keptByForce = new Set(previous.keptByForce ?? []);
  const overKept = planned.find((o) => keptByForce.has(o.path));
  if (overKept) {
    throw new ManifestError([{
      path: "--out",
      message:
        `Cannot write "${outDir}/${overKept.path}" for row ${overKept.row} (subject ${
          JSON.stringify(overKept.id)
        }): --force kept it (not the file the old run recorded, or an input) and medprep never ` +
        "writes over a file it cannot vouch for; move it and run again",
    }]);
  }
  const { reused, rebuilt } = options.resume
    ? await findReusable(previous, jobs, planned, { header, outDir })
    : { reused: new Map<string, SubjectRecord>(), rebuilt: [] };
  for (const r of rebuilt) log(`medprep: --resume rebuilds "${r.id}": ${r.reason}`);
  const todo = jobs.filter((j) => !reused.has(j.id));
  if (reused.size > 0) log(`medprep: --resume keeps ${reused.size} finished subject(s)`);
  // What earlier runs of this recipe made here stays recorded: the subjects this run does not
  // select (--subject, --limit, a shorter manifest) are carried over as they were recorded,
  // unless this run writes one of their output names (then that file is no longer theirs) or,
  // for a shard, the subject is now another shard's and its provenance file records it
  // (merge-provenance takes a subject from the shard it is assigned to).
  const earlier = latestRecords(previous, header);
  const selected = new Set(jobs.map((j) => j.id));
  const written = new Set(planned.map((o) => o.path));
  const elsewhere = new Set(found.siblings.flatMap((s) => s.records.map((r) => r.id)));
  const carried = options.replay
    ? []
    : [...earlier.values()].filter((r) =>
      r.status === "done" && !selected.has(r.id) &&
      !r.outputs.some((o) => written.has(o.path)) &&
      (!shard || assigned.has(r.id) || !elsewhere.has(r.id))
    );
  guard();
  const journal = await createJournal(journalPathOf(provenancePath), { header, started }, [
    ...carried,
    ...reused.values(),
  ]);
  // ---

  guard();
  await removeStaleStaging(outDir);
  guard();
  const staging = await createStaging(outDir);
  const stagingDir = staging.dir;
  // Issue 13: dataset statistics (over: dataset, spacing: median) over every subject `where` selects.
  // What every worker of this run starts from (the subjects' pass adds the statistics).
  const init = {
    recipe: resolved,
    outDir,
    stagingDir,
    maxInputBytes: memory.budget.bytes,
    memoryBudget: memory.budget,
    ...inflater,
  };
  const dataset = await prepareRunDataset(
    plan,
    resolved,
    resolvePairs(matching.map((r) => ({ id: r.id, row: r.row, paths: r.paths }))),
    {
      init,
      workers: memory.workers,
      progress: chooseProgressMode(options.quiet ?? false),
      log,
      stats: givenStats,
      resume: options.resume ?? false,
      outDir,
      recorded: recordedRunFiles,
    },
  ).catch(async (e) => {
    // Refused or failed before any subject ran: leave --out as it was (no staging folder, and no
    // journal unless it carries finished subjects of an earlier run).
    staging.release();
    await sweepUntilClean(outDir, stagingDir, {});
    if (reused.size === 0) await journal.remove();
    else journal.close();
    throw e;
  });
  if (dataset.interrupted) {
    journal.close();
    staging.release();
    await sweepUntilClean(outDir, stagingDir, {});
    log("medprep: interrupted during the statistics pass; no subject was processed");
    return 130;
  }
  const spareCore = memory.workers < (navigator.hardwareConcurrency ?? 1);
  const execution = await executeJobs(todo, {
    size: memory.workers,
    init: { ...init, dataset: dataset.byStep },
    permissions: (group) =>
      deriveWorkerPermissions(stagingDir, group, stepFilesOf(plan), init.libdeflate),
    // The main thread, with a core no worker uses, reads the first worker's first subject while
    // the worker starts, and compresses every other chunk of the .nii.gz outputs (issue 15.1).
    firstBuffers: firstBuffersFor(init, { readFirst: spareCore }),
    deflateHelpers: spareCore,
    progress: chooseProgressMode(options.quiet ?? false),
    publish: createPublisher(outDir, stagingDir, { guard }).publish,
    onRecord: (r) => r.status === "done" || r.status === "failed" ? journal.append(r) : undefined,
  });
  try {
    const { interrupted } = execution;
    // --out was moved or replaced by a link: its journal and outputs stay where it went.
    if (execution.stopped !== undefined) throw new OutDirMovedError(execution.stopped);
    const records = [...carried, ...reused.values(), ...execution.records];
    guard();
    await removeSupersededOutputs(earlier, records, outDir, log, inputs);
    // Only this run's staged files are removed; final names hold only published subjects.
    const undone = records.some((r) => r.status !== "done");
    await sweepUntilClean(outDir, stagingDir, interrupted || undone ? {} : { maxPasses: 1 });
    const subjects = records.sort((a, b) => compareIds(a.id, b.id));
    const provenance: Provenance = {
      ...header,
      started,
      finished: new Date().toISOString(),
      status: interrupted ? "interrupted" : deriveRunStatus(subjects),
      ...(dataset.record ? { dataset: dataset.record } : {}),
      subjects,
    };
    // Issue 12.9: the output manifest and dataset.json of every run (not of a replay).
    if (!options.replay) {
      guard();
      provenance.runFiles = [
        ...await writeOutputManifest(outDir, provenance, basename(provenancePath)),
        ...(dataset.file ? [dataset.file] : []), // dataset-stats.json (issue 13.2)
      ];
    }
    guard();
    await writeJsonAtomic(provenancePath, provenance);
    // Issue 14.2: report.html beside it (not for a replay); a failure to write it only warns.
    if (!options.replay) {
      guard();
      await writeReport(provenancePath, provenance).catch((e) =>
        console.error(`medprep: warning: ${e instanceof Error ? e.message : String(e)}`)
      );
    }
    guard();
    await journal.remove(); // compacted into the provenance file
    const code = summarizeRun(provenance, provenancePath, {
      log,
      interrupted,
      quiet: options.quiet ?? false,
    });
    if (execution.diskFull) console.error(diskFullLine(outDir, subjects));
    return code;
  } finally {
    journal.close();
    execution.release();
    staging.release();
  }
}
