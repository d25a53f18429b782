/**
 * The statistics pass of a run (issue 13.2): steps that need dataset statistics (`over:
 * dataset`, `spacing: median`) get them pooled over every subject of the manifest, computed in
 * the same workers (the steps before the first such step only, nothing written), merged exactly
 * on the main thread and written to `<out>/dataset-stats.json`. One pass per group of dataset
 * steps (a later `spacing` need joins the pass when only intensity steps lie between). Sharded
 * partial statistics (`medprep fingerprint RECIPE --shard I/N`) merge into the same bytes.
 */
import { sha256Bytes } from "../nifti/hash.ts";
import type { Plan } from "../recipe/plan.ts";
import { stringifyStable } from "../provenance/stable_json.ts";
import type { ResolvedRecipe, SubjectRecord } from "../provenance/types.ts";
import {
  DatasetAccumulator,
  type DatasetNeed,
  type DatasetPartialJson,
  type DatasetStats,
} from "../steps/dataset_stats.ts";
import { VERSION } from "../version.ts";
import { executeJobs } from "./execute.ts";
import { firstBuffersFor } from "./first_buffers.ts";
import type { Job, WorkerInit } from "./messages.ts";
import { deriveWorkerPermissions } from "./pool.ts";
import type { ProgressMode } from "./progress.ts";

/** A step that needs dataset statistics. */
export interface DatasetStep {
  index: number;
  need: DatasetNeed;
}

/** The steps one statistics pass collects: it runs the steps before `stop`. */
export interface StatsPass {
  stop: number;
  collect: DatasetStep[];
}

/** Finalized statistics of one step as written in dataset-stats.json. */
export interface DatasetStepStats {
  index: number;
  step: string;
  need: DatasetNeed;
  stats: DatasetStats;
}

/** `<out>/dataset-stats.json` (also `medprep fingerprint RECIPE` and `--merge`). */
export interface DatasetStatsFile {
  kind: "medprep-dataset-stats";
  version: 1;
  /** sha256 of the recipe prefix the statistics depend on (steps up to the last dataset step, seed, medprep version). */
  recipe: { sha256: string; name: string };
  /** sha256 over every subject's input files (id, role, file sha256), and how many subjects. */
  inputs: { sha256: string; subjects: number };
  /** Subjects whose statistics could not be taken (they fail in the run as well). */
  failed: { id: string; message: string }[];
  steps: DatasetStepStats[];
}

/** A shard's partial statistics of one pass (`fingerprint RECIPE --shard I/N`). */
export interface DatasetPartialFile {
  kind: "medprep-dataset-stats-partial";
  version: 1;
  recipe: { sha256: string; name: string };
  shard: { index: number; count: number };
  /** Earlier passes' statistics the shard ran with (`--stats`). */
  given: DatasetStepStats[];
  pass: StatsPass;
  partials: Record<string, DatasetPartialJson>;
  /** Per subject: its input key lines. */
  inputs: Record<string, string[]>;
  /** Subjects that failed this pass or (from `--stats`) an earlier one. */
  failed: { id: string; message: string }[];
}

/** Every step of the plan that needs dataset statistics, in recipe order. */
export function findDatasetSteps(plan: Plan): DatasetStep[] {
  return plan.steps.flatMap((s) => {
    const need = s.definition.dataset?.(s.params);
    return need ? [{ index: s.index, need }] : [];
  });
}

/** Groups the dataset steps into passes (a spacing need joins across intensity steps only). */
export function planStatsPasses(plan: Plan): StatsPass[] {
  const passes: StatsPass[] = [];
  for (const step of findDatasetSteps(plan)) {
    const last = passes[passes.length - 1];
    const between = last ? plan.steps.slice(last.stop, step.index) : [];
    if (
      last && step.need.kind === "spacing" &&
      between.every((s) => s.definition.kind === "intensity")
    ) {
      last.collect.push(step);
    } else passes.push({ stop: step.index, collect: [step] });
  }
  return passes;
}

/** The sha256 identifying the recipe prefix statistics depend on. */
export function recipePrefixKey(plan: Plan, resolved: ResolvedRecipe): string {
  const steps = findDatasetSteps(plan);
  const last = steps.length ? steps[steps.length - 1].index : -1;
  return sha256Bytes(stringifyStable({
    medprep: VERSION,
    seed: resolved.seed,
    steps: resolved.steps.slice(0, last + 1),
  }));
}

/** The input key lines of one subject's record (role, file sha256, paired file sha256). */
export function inputLines(record: SubjectRecord): string[] {
  return record.inputs.map((i) => `${i.role}\t${i.sha256}\t${i.pairedFile?.sha256 ?? ""}`).sort();
}

/** sha256 over every subject's input lines, in id order. */
export function inputsKey(inputs: Record<string, string[]>): string {
  const ids = Object.keys(inputs).sort(byCodeUnit);
  return sha256Bytes(ids.map((id) => `${id}\n${inputs[id].join("\n")}\n`).join(""));
}

const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** What a pass over some subjects produced. */
export interface PassResult {
  accumulators: Map<number, DatasetAccumulator>;
  inputs: Record<string, string[]>;
  failed: { id: string; message: string }[];
  interrupted: boolean;
}

/** How to run statistics passes in workers. */
export interface PassOptions {
  init: Omit<WorkerInit, "dataset" | "statsPass">;
  workers: number;
  progress: ProgressMode;
  log: (line: string) => void;
}

/** Runs one statistics pass over `jobs` with the statistics of earlier passes. */
export async function runStatsPass(
  pass: StatsPass,
  jobs: readonly Job[],
  given: Record<number, DatasetStats>,
  options: PassOptions,
): Promise<PassResult> {
  const names = pass.collect.map((c) => `steps[${c.index}]`).join(", ");
  options.log(`medprep: statistics pass for ${names} over ${jobs.length} subject(s)`);
  const accumulators = new Map(pass.collect.map((c) => [c.index, new DatasetAccumulator()]));
  const inputs: Record<string, string[]> = {};
  const failed: { id: string; message: string }[] = [];
  const dir = options.init.stagingDir ?? options.init.outDir;
  const execution = await executeJobs(jobs, {
    size: options.workers,
    init: { ...options.init, dataset: given, statsPass: pass },
    permissions: (group) => deriveWorkerPermissions(dir, group, [], options.init.libdeflate),
    firstBuffers: firstBuffersFor(options.init),
    progress: options.progress,
    onRecord: (r) => {
      if (r.status === "done" && r.contributions) {
        for (const c of pass.collect) {
          accumulators.get(c.index)!.add(r.id, r.contributions[c.index]);
        }
        inputs[r.id] = inputLines(r);
      } else if (r.status === "failed") {
        failed.push({ id: r.id, message: r.error?.message ?? "failed" });
      }
    },
  });
  execution.release();
  failed.sort((a, b) => byCodeUnit(a.id, b.id));
  return { accumulators, inputs, failed, interrupted: execution.interrupted };
}

/** Finalized statistics of a pass's accumulators. */
export function finalizePass(plan: Plan, pass: StatsPass, acc: Map<number, DatasetAccumulator>) {
  return pass.collect.map((c): DatasetStepStats => ({
    index: c.index,
    step: plan.steps[c.index].definition.name,
    need: c.need,
    stats: acc.get(c.index)!.finalize(c.need),
  }));
}

/** The statistics of every dataset step, computing each pass in turn (a whole dataset). */
export async function computeDatasetStats(
  plan: Plan,
  resolved: ResolvedRecipe,
  jobs: readonly Job[],
  options: PassOptions,
): Promise<{ file: DatasetStatsFile; interrupted: boolean }> {
  const steps: DatasetStepStats[] = [];
  const given: Record<number, DatasetStats> = {};
  let inputs: Record<string, string[]> = {};
  const failed = new Map<string, string>();
  let interrupted = false;
  for (const pass of planStatsPasses(plan)) {
    // A subject that failed an earlier pass is left out of the later ones.
    const todo = jobs.filter((j) => !failed.has(j.id));
    const r = await runStatsPass(pass, todo, given, options);
    if (r.interrupted) {
      interrupted = true;
      break;
    }
    for (const f of r.failed) failed.set(f.id, f.message);
    inputs = { ...inputs, ...r.inputs };
    for (const s of finalizePass(plan, pass, r.accumulators)) {
      steps.push(s);
      given[s.index] = s.stats;
    }
  }
  for (const id of failed.keys()) delete inputs[id];
  const file: DatasetStatsFile = {
    kind: "medprep-dataset-stats",
    version: 1,
    recipe: { sha256: recipePrefixKey(plan, resolved), name: resolved.name },
    inputs: { sha256: inputsKey(inputs), subjects: Object.keys(inputs).length },
    failed: [...failed].map(([id, message]) => ({ id, message })).sort((a, b) =>
      byCodeUnit(a.id, b.id)
    ),
    steps,
  };
  return { file, interrupted };
}

/** Statistics by step index, for the workers of the normal pass. */
export function statsByStep(file: DatasetStatsFile): Record<number, DatasetStats> {
  return Object.fromEntries(file.steps.map((s) => [s.index, s.stats]));
}

/**
 * Checks a statistics file against the plan: made for the same recipe prefix and complete.
 * @returns problems (empty = usable)
 */
export function checkStatsFile(
  file: DatasetStatsFile,
  plan: Plan,
  resolved: ResolvedRecipe,
): string[] {
  if (file?.kind !== "medprep-dataset-stats" || file.version !== 1) {
    return ["it is not a medprep dataset-stats file (version 1)"];
  }
  const problems: string[] = [];
  if (file.recipe.sha256 !== recipePrefixKey(plan, resolved)) {
    problems.push(
      "it was computed for another recipe (the steps up to the last dataset step, the seed or the medprep version differ)",
    );
  }
  for (const s of findDatasetSteps(plan)) {
    if (!file.steps.some((f) => f.index === s.index)) {
      problems.push(`it has no statistics for steps[${s.index}]`);
    }
  }
  return problems;
}

/** Merges shard partial files of one pass into the statistics file (exact; any order). */
export function mergePartials(
  plan: Plan,
  resolved: ResolvedRecipe,
  partials: readonly DatasetPartialFile[],
): DatasetStatsFile {
  if (partials.length === 0) throw new Error("Cannot merge: no partial statistics files");
  const first = partials[0];
  const key = recipePrefixKey(plan, resolved);
  const count = first.shard.count;
  const seen = new Set<number>();
  for (const p of partials) {
    if (p.kind !== "medprep-dataset-stats-partial") {
      throw new Error("Cannot merge: not a partial statistics file");
    }
    if (p.recipe.sha256 !== key) {
      throw new Error(
        `Cannot merge shard ${p.shard.index}/${p.shard.count}: computed for another recipe`,
      );
    }
    if (p.shard.count !== count) {
      throw new Error(`Cannot merge shards of ${count} and of ${p.shard.count}`);
    }
    if (
      stringifyStable(p.pass) !== stringifyStable(first.pass) ||
      stringifyStable(p.given) !== stringifyStable(first.given)
    ) {
      throw new Error(`Cannot merge shard ${p.shard.index}/${count}: it computed another pass`);
    }
    if (seen.has(p.shard.index)) {
      throw new Error(`Cannot merge shard ${p.shard.index}/${count} twice`);
    }
    seen.add(p.shard.index);
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !seen.has(i));
  if (missing.length) {
    throw new Error(`Cannot merge: shard(s) ${missing.join(", ")} of ${count} missing`);
  }
  const acc = new Map(first.pass.collect.map((c) => [c.index, new DatasetAccumulator()]));
  let inputs: Record<string, string[]> = {};
  const failed: { id: string; message: string }[] = [];
  for (const p of partials) {
    for (const c of first.pass.collect) {
      acc.get(c.index)!.merge(DatasetAccumulator.fromJSON(p.partials[c.index]));
    }
    inputs = { ...inputs, ...p.inputs };
    for (const f of p.failed) if (!failed.some((g) => g.id === f.id)) failed.push(f);
  }
  for (const f of failed) delete inputs[f.id];
  return {
    kind: "medprep-dataset-stats",
    version: 1,
    recipe: { sha256: key, name: resolved.name },
    inputs: { sha256: inputsKey(inputs), subjects: Object.keys(inputs).length },
    failed: failed.sort((a, b) => byCodeUnit(a.id, b.id)),
    steps: [...first.given, ...finalizePass(plan, first.pass, acc)],
  };
}
