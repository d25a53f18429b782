/**
 * `fingerprint [recipe]`. Without a recipe: the dataset fingerprint of a manifest (per role
 * distributions, intensity and label statistics, a suggested recipe; fingerprint_dataset.ts,
 * issue 13.5). With a RECIPE (issue 13.4): the dataset statistics its `over: dataset` /
 * `spacing: median` steps need (runner/fingerprint_recipe.ts), whole or per `--shard I/N`,
 * combined exactly by `--merge DIR`; `run --stats` then uses them.
 * Permissions: --allow-read, --allow-write (statistics files, --recipe-out), --allow-env,
 * --allow-sys.
 */
import { Command, InvalidArgumentError, Option } from "commander";
import type { CommandFactory } from "./command.ts";
import { runDatasetFingerprint } from "./fingerprint_dataset.ts";
import { UsageError } from "../errors.ts";
import { runFingerprintRecipe } from "../runner/fingerprint_recipe.ts";

function positive(text: string): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1) {
    throw new InvalidArgumentError("must be an integer from 1");
  }
  return Number(text);
}

/** Options of the recipe mode only (an error without a recipe). */
const RECIPE_ONLY = ["out", "shard", "shardCount", "stats", "merge"] as const;
/** Options of the dataset fingerprint only (an error with a recipe). */
const DATASET_ONLY = ["labels", "json", "recipeOut", "force"] as const;

const flag = (key: string) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** The `fingerprint` subcommand. */
export const createFingerprintCommand: CommandFactory = (done) =>
  new Command("fingerprint")
    .description(
      "Dataset fingerprint (spacing, shape, orientation, intensity, labels) and a suggested recipe; with a RECIPE, the dataset statistics its over: dataset / spacing: median steps need (--shard, --merge)",
    )
    .argument(
      "[recipe]",
      "recipe YAML (statistics pass of a recipe; omit for the dataset fingerprint)",
    )
    .option("--manifest <file>", "manifest (CSV, TSV, JSON, JSONL, MSD dataset.json)")
    .option("--input <glob>", "input files by glob instead of a manifest (id = file stem)")
    .option(
      "--labels <roles>",
      "comma-separated roles holding label maps (default: label)",
      (t: string) => t.split(",").map((s) => s.trim()).filter(Boolean),
    )
    .option(
      "--where <condition>",
      "only subjects whose metadata match, e.g. fold!=0 (repeatable: all must hold)",
      (c: string, previous: string[] = []) => [...previous, c],
    )
    .addOption(new Option("--workers <n>", "parallel workers (default: cores)").argParser(positive))
    .addOption(
      new Option("--modality <m>", "normalization of the suggested recipe").choices([
        "auto",
        "ct",
        "mr",
      ]).default("auto"),
    )
    .option("--json", "print the fingerprint as JSON")
    .option("--recipe-out <file>", "also write the suggested recipe to this file")
    .option("--force", "overwrite --recipe-out")
    .option(
      "--out <dir>",
      "RECIPE: output directory (default: out/<recipe name>; with --merge: DIR)",
    )
    .option(
      "--shard <i/n|auto>",
      "RECIPE: statistics of shard I of N only (a partial file to --merge)",
    )
    .addOption(
      new Option("--shard-count <n>", "RECIPE: number of shards for --shard auto").argParser(
        positive,
      ),
    )
    .option(
      "--stats <file>",
      "RECIPE: statistics of earlier passes (chained dataset steps, sharded)",
    )
    .option("--merge <dir>", "RECIPE: combine the partial files of every shard in DIR (exact)")
    .option("--quiet", "no progress")
    .action(async (recipe: string | undefined, opts: Record<string, unknown>) => {
      const misplaced = (keys: readonly string[], why: string) =>
        keys.filter((k) => opts[k] !== undefined).map((k) => ({
          path: flag(k),
          message: `Cannot use ${flag(k)} ${why}`,
        }));
      if (recipe === undefined) {
        const issues = misplaced(
          RECIPE_ONLY,
          "without a RECIPE (it belongs to the recipe statistics mode)",
        );
        if (issues.length) throw new UsageError(issues);
        done(await runDatasetFingerprint(opts as Parameters<typeof runDatasetFingerprint>[0]));
        return;
      }
      const issues = misplaced(
        DATASET_ONLY,
        "with a RECIPE (it belongs to the dataset fingerprint: omit the recipe)",
      );
      if (issues.length) throw new UsageError(issues);
      done(
        await runFingerprintRecipe({
          recipe,
          manifest: opts.manifest as string | undefined,
          input: opts.input as string | undefined,
          where: opts.where as string[] | undefined,
          out: opts.out as string | undefined,
          shard: opts.shard as string | undefined,
          shardCount: opts.shardCount as number | undefined,
          stats: opts.stats as string | undefined,
          merge: opts.merge as string | undefined,
          workers: opts.workers as number | undefined,
          quiet: opts.quiet === true,
        }),
      );
    });
