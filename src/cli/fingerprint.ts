/**
 * `fingerprint` subcommand. Recipe mode (issue 13.4): `fingerprint RECIPE [--manifest F |
 * --input GLOB] [--shard I/N] [--stats FILE] [--merge DIR] [--out DIR]` computes the dataset
 * statistics the recipe's `over: dataset` / `spacing: median` steps need (runner/
 * fingerprint_recipe.ts). Without a recipe: the standalone dataset fingerprint (issue 13.5).
 * Permissions: --allow-read, --allow-write (the statistics files), --allow-env, --allow-sys.
 */
import { Command, InvalidArgumentError, Option } from "commander";
import { UsageError } from "../errors.ts";
import type { CommandFactory } from "./command.ts";
import { runFingerprintRecipe } from "../runner/fingerprint_recipe.ts";

function positive(text: string): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1) {
    throw new InvalidArgumentError("must be a positive integer");
  }
  return Number(text);
}

/** `fingerprint [recipe] ...` */
export const createFingerprintCommand: CommandFactory = (done) =>
  new Command("fingerprint")
    .description(
      "Dataset statistics: with a RECIPE, those its over: dataset / spacing: median steps need (sharded with --shard, combined with --merge)",
    )
    .argument("[recipe]", "recipe YAML file (recipe mode)")
    .option("--manifest <file>", "manifest (CSV, TSV, JSON, JSONL, MSD dataset.json)")
    .option("--input <glob>", "input files by glob instead of a manifest (id = file stem)")
    .option("--out <dir>", "output directory (default: out/<recipe name>; with --merge: DIR)")
    .option("--shard <i/n|auto>", "statistics of shard I of N only: a partial file to --merge")
    .addOption(
      new Option("--shard-count <n>", "number of shards for --shard auto").argParser(positive),
    )
    .option("--stats <file>", "statistics of earlier passes (chained dataset steps, sharded)")
    .option("--merge <dir>", "combine the partial files of every shard in DIR (exact)")
    .addOption(new Option("--workers <n>", "parallel workers").argParser(positive))
    .option("--quiet", "print errors only")
    .action(async (recipe: string | undefined, opts: Record<string, unknown>) => {
      if (recipe === undefined) {
        throw new UsageError([{
          path: "<recipe>",
          message: "Cannot fingerprint without a recipe yet: give RECIPE",
        }]);
      }
      done(
        await runFingerprintRecipe({
          recipe,
          manifest: opts.manifest as string | undefined,
          input: opts.input as string | undefined,
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
