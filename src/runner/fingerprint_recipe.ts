/**
 * `medprep fingerprint RECIPE`: the dataset statistics a recipe needs, without running it
 * (issue 13.4). Whole: every pass over every subject → `<out>/dataset-stats.json`. Sharded
 * (`--shard I/N`, e.g. a SLURM array): the next pass over this shard's subjects →
 * `<out>/dataset-stats.partial-I-of-N.json`; `--merge DIR` combines the partials exactly (the
 * same bytes as the whole computation) into `DIR/dataset-stats.json`. A recipe with chained
 * dataset steps needs one sharded round per pass (`--stats` gives the earlier passes).
 * A statistics file is written only where no file is or over medprep's statistics file of the
 * same kind for this recipe prefix (a rerun, the next `--merge` round); a user's file there is
 * refused before any work (exit 2), as `run` refuses it (run_files.ts).
 */
import { resolve } from "node:path";
import { ManifestError, UsageError } from "../errors.ts";
import { readManifest } from "../manifest/manifest.ts";
import { bindManifest } from "../recipe/bind_manifest.ts";
import { readRecipe } from "../recipe/validate.ts";
import { selectWhere } from "../recipe/select_where.ts";
import { resolveRecipe } from "../provenance/header.ts";
import { compareIds } from "../provenance/merge.ts";
import { readProvenanceFile } from "../provenance/read_provenance.ts";
import { writeJsonAtomic } from "../provenance/stable_json.ts";
import { planMemory } from "./budget_run.ts";
import { resolveOutDir } from "./confine.ts";
import { DATASET_STATS_FILE } from "./dataset_run.ts";
import { resolvePairs } from "./pairs.ts";
import { findUserFiles } from "./run_files.ts";
import { chooseProgressMode } from "./progress.ts";
import { parseShard, selectShard } from "./shard.ts";
import {
  computeDatasetStats,
  type DatasetPartialFile,
  type DatasetStatsFile,
  mergePartials,
  planStatsPasses,
  recipePrefixKey,
  runStatsPass,
  statsByStep,
} from "./stats_pass.ts";

/** What `fingerprint RECIPE` takes from the command line. */
export interface FingerprintRecipeOptions {
  recipe: string;
  manifest?: string;
  input?: string;
  /** Metadata conditions (`--where`, with the recipe's `load: { where }`): the dataset. */
  where?: string[];
  /** Output directory (default `out/<recipe name>`); with `merge`, default the merged folder. */
  out?: string;
  /** `I/N` or `auto`. */
  shard?: string;
  shardCount?: number;
  /** Statistics of earlier passes (sharded rounds of chained dataset steps). */
  stats?: string;
  /** Folder of partial files to merge. */
  merge?: string;
  workers?: number;
  quiet?: boolean;
  env?: (name: string) => string | undefined;
}

const argError = (path: string, message: string) => new UsageError([{ path, message }]);

/** The provenance file in `dir` that records `name` among its run's files, if any. */
async function runRecording(dir: string, name: string): Promise<string | undefined> {
  let names: string[] = [];
  try {
    names = [...Deno.readDirSync(dir)].filter((e) =>
      e.isFile && /^provenance.*\.json$/.test(e.name)
    )
      .map((e) => e.name).sort();
  } catch { /* no folder yet */ }
  for (const file of names) {
    const { provenance } = await readProvenanceFile(`${dir}/${file}`);
    if (provenance?.runFiles?.some((r) => r.path === name)) return `${dir}/${file}`;
  }
  return undefined;
}

/**
 * Refuses (exit 2) to write `name` in `dir` over a file that is not medprep's statistics file
 * of kind `kind` for the recipe prefix `key`, or that a run there recorded as the statistics it
 * used (its provenance's `runFiles`): that file belongs to the run.
 */
async function checkStatsTarget(dir: string, name: string, kind: string, key: string) {
  const recorder = await runRecording(dir, name);
  if (recorder) {
    throw new ManifestError([{
      path: "--out",
      message: `Cannot write "${dir}/${name}": it holds the statistics the run recorded in ` +
        `"${recorder}" used; write the statistics into another --out`,
    }]);
  }
  const vouch = async (path: string) => {
    try {
      const file = JSON.parse(await Deno.readTextFile(path));
      return file?.kind === kind && file?.recipe?.sha256 === key;
    } catch {
      return false;
    }
  };
  const issues = await findUserFiles(dir, [{ name, vouch }]);
  if (issues.length > 0) throw new ManifestError(issues);
}

/** The partial file name of shard I of N. */
export function partialFileName(index: number, count: number): string {
  return `dataset-stats.partial-${index}-of-${count}.json`;
}

/** Runs `fingerprint RECIPE`; returns the exit code (0, or 1 when subjects failed). */
export async function runFingerprintRecipe(options: FingerprintRecipeOptions): Promise<number> {
  const env = options.env ?? ((name: string) => Deno.env.get(name));
  const log = (line: string) => options.quiet || console.error(line);
  const recipePath = resolve(options.recipe);
  const { recipe, plan } = await readRecipe(recipePath);
  const resolved = resolveRecipe(recipe);
  const passes = planStatsPasses(plan);
  const key = recipePrefixKey(plan, resolved);
  if (passes.length === 0) {
    throw argError(
      "<recipe>",
      `Cannot fingerprint "${options.recipe}" for a recipe: no step needs dataset statistics (over: dataset, spacing: median)`,
    );
  }
  if (options.merge) {
    const dir = resolve(options.merge);
    const partials: DatasetPartialFile[] = [];
    for (const e of [...Deno.readDirSync(dir)].sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (!/^dataset-stats\.partial-\d+-of-\d+\.json$/.test(e.name)) continue;
      partials.push(JSON.parse(await Deno.readTextFile(`${dir}/${e.name}`)));
    }
    let merged: DatasetStatsFile;
    try {
      merged = mergePartials(plan, resolved, partials);
    } catch (e) {
      throw argError("--merge", `${(e as Error).message} (in "${options.merge}")`);
    }
    const outDir = options.out ? resolveOutDir(options.out) : dir;
    await checkStatsTarget(outDir, DATASET_STATS_FILE, "medprep-dataset-stats", key);
    await Deno.mkdir(outDir, { recursive: true });
    await writeJsonAtomic(`${outDir}/${DATASET_STATS_FILE}`, merged);
    log(`medprep: merged ${partials.length} shard(s) into ${outDir}/${DATASET_STATS_FILE}`);
    const done = new Set(merged.steps.map((s) => s.index));
    const next = passes.find((p) => p.collect.some((c) => !done.has(c.index)));
    if (next) {
      log(
        `medprep: steps[${next.stop}] needs another statistics pass: run fingerprint --shard I/N --stats ${outDir}/${DATASET_STATS_FILE} again, then --merge`,
      );
    }
    return merged.failed.length > 0 ? 1 : 0;
  }
  if (options.manifest && options.input) {
    throw argError("--manifest", "Cannot use both --manifest and --input: give one");
  }
  const source = options.manifest ?? options.input ?? recipe.manifest;
  if (!source) {
    throw argError(
      "--manifest",
      `Cannot fingerprint "${options.recipe}": give --manifest FILE or --input GLOB`,
    );
  }
  const manifest = await readManifest(options.input ? source : resolve(source), {
    glob: options.input !== undefined,
  });
  const bound = bindManifest(plan, manifest);
  for (const w of bound.warnings) log(`medprep: warning: ${w}`);
  const outDir = resolveOutDir(options.out ?? `out/${recipe.name}`);
  await Deno.mkdir(outDir, { recursive: true });
  // `where` defines the dataset, as in `run` (manifest/where.ts).
  const matching = selectWhere(manifest, plan, { where: options.where });
  let jobs = resolvePairs(matching.map((r) => ({ id: r.id, row: r.row, paths: r.paths })));
  const memory = planMemory(plan, recipe, recipePath, {
    requested: options.workers,
    subjects: jobs.length,
    env,
    log,
  });
  const passOptions = {
    init: {
      recipe: resolved,
      outDir,
      maxInputBytes: memory.budget.bytes,
      memoryBudget: memory.budget,
    },
    workers: memory.workers,
    progress: chooseProgressMode(options.quiet ?? false),
    log,
  };
  if (!options.shard) {
    await checkStatsTarget(outDir, DATASET_STATS_FILE, "medprep-dataset-stats", key);
    const { file, interrupted } = await computeDatasetStats(plan, resolved, jobs, passOptions);
    if (interrupted) return 130;
    await writeJsonAtomic(`${outDir}/${DATASET_STATS_FILE}`, file);
    log(`medprep: wrote ${outDir}/${DATASET_STATS_FILE}`);
    return file.failed.length > 0 ? 1 : 0;
  }
  let shard;
  try {
    shard = parseShard(options.shard, { env, shardCount: options.shardCount });
  } catch (e) {
    throw argError("--shard", (e as Error).message);
  }
  let given: DatasetStatsFile | undefined;
  if (options.stats) {
    given = JSON.parse(await Deno.readTextFile(resolve(options.stats))) as DatasetStatsFile;
    if (
      given.kind !== "medprep-dataset-stats" ||
      given.recipe?.sha256 !== key
    ) {
      throw argError("--stats", `Cannot use "${options.stats}": not the statistics of this recipe`);
    }
  }
  const done = new Set(given?.steps.map((s) => s.index) ?? []);
  const pass = passes.find((p) => p.collect.some((c) => !done.has(c.index)));
  if (!pass) {
    throw argError("--stats", `Cannot fingerprint: "${options.stats}" already holds every pass`);
  }
  if (passes.indexOf(pass) > 0 && !given) {
    throw argError("--shard", "Cannot run a later pass without the earlier ones: give --stats");
  }
  const earlierFailed = given?.failed ?? [];
  const ids = new Set(selectShard(matching.map((r) => r.id).sort(compareIds), shard));
  jobs = jobs.filter((j) => ids.has(j.id) && !earlierFailed.some((f) => f.id === j.id));
  const path = `${outDir}/${partialFileName(shard.index, shard.count)}`;
  await checkStatsTarget(
    outDir,
    partialFileName(shard.index, shard.count),
    "medprep-dataset-stats-partial",
    key,
  );
  const r = await runStatsPass(pass, jobs, given ? statsByStep(given) : {}, passOptions);
  if (r.interrupted) return 130;
  const partial: DatasetPartialFile = {
    kind: "medprep-dataset-stats-partial",
    version: 1,
    recipe: { sha256: key, name: resolved.name },
    shard,
    given: given?.steps ?? [],
    pass,
    partials: Object.fromEntries([...r.accumulators].map(([i, a]) => [i, a.toJSON()])),
    inputs: r.inputs,
    failed: [...earlierFailed, ...r.failed],
  };
  await writeJsonAtomic(path, partial);
  log(`medprep: wrote ${path}`);
  return r.failed.length > 0 ? 1 : 0;
}
