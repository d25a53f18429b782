/**
 * `run` subcommand: validate a recipe and manifest, then process every subject in parallel
 * workers, writing outputs and provenance.json (SPEC §8, §9).
 * Permissions: --allow-read, --allow-write, --allow-env (SLURM / Kubernetes shard variables),
 * --allow-sys (memory guard), --allow-run=git,df (recipe commit, free disk space).
 */
import { Command, InvalidArgumentError, Option } from "commander";
import { UsageError } from "../errors.ts";
import type { CommandFactory } from "./command.ts";
import { runBatch } from "../runner/batch.ts";
import { checkExpandedGlob } from "./glob_hint.ts";
import { checkPartnerFlags } from "./partner_flags.ts";

function integer(min: number) {
  return (text: string): number => {
    if (!/^-?\d+$/.test(text.trim()) || Number(text) < min || !Number.isSafeInteger(+text)) {
      throw new InvalidArgumentError(
        `must be an integer from ${min} to ${Number.MAX_SAFE_INTEGER}`,
      );
    }
    return Number(text);
  };
}

/** `run <recipe.yaml> [--manifest F | --input GLOB] [--out DIR] ...` */
export const createRunCommand: CommandFactory = (done) =>
  new Command("run")
    .description("Validate a recipe, then run it on every subject of a manifest")
    .argument("<recipe>", "recipe YAML file")
    .option("--manifest <file>", "manifest (CSV, TSV, JSON, JSONL, MSD dataset.json)")
    .option("--input <glob>", "input files by glob instead of a manifest (id = file stem)")
    .addOption(
      new Option("--id-from <source>", "with --input: subject id from the file stem or its folder")
        .choices(["stem", "dir"]),
    )
    .option("--out <dir>", "output directory (default: out/<recipe name>)")
    .addOption(
      new Option("--workers <n>", "parallel workers (default: number of cores)").argParser(
        integer(1),
      ),
    )
    .addOption(new Option("--seed <n>", "run seed (overrides the recipe's)").argParser(integer(0)))
    .option("--resume", "keep subjects whose outputs and inputs are unchanged")
    .option(
      "--force",
      "into an --out holding another recipe's outputs: remove the files its provenance lists (unchanged ones only), then run",
    )
    .option(
      "--dry-run",
      "validate and print the plan (with --resume: what it keeps); write nothing",
    )
    .option("--json", "with --dry-run: print only the planned provenance (JSON)")
    .option("--shard <i/n|auto>", "process shard I of N (1-based), or auto from SLURM / Kubernetes")
    .addOption(
      new Option("--shard-count <n>", "number of shards for --shard auto (Kubernetes)").argParser(
        integer(1),
      ),
    )
    .option(
      "--stats <file>",
      "dataset statistics (dataset-stats.json from medprep fingerprint or a run) instead of the statistics pass",
    )
    .option("--quiet", "print errors only")
    .option("--preview", "also write a PNG preview beside every output (save: { preview: true })")
    .option("--replay <provenance>", "replay one copy's drawn values from a provenance file")
    .option(
      "--subject <id>",
      "only this subject (repeatable; with --replay: the one subject to replay)",
      (id: string, previous: string[] = []) => [...previous, id],
    )
    .addOption(
      new Option("--limit <n>", "only the first N subjects in manifest order").argParser(
        integer(1),
      ),
    )
    .option(
      "--where <condition>",
      "only subjects whose metadata match, e.g. fold!=0, site in A,B (repeatable: all must hold)",
      (c: string, previous: string[] = []) => [...previous, c],
    )
    .addOption(new Option("--copy <k>", "copy to replay (with --replay)").argParser(integer(0)))
    .allowExcessArguments()
    .action(async (recipe: string, opts: Record<string, unknown>, cmd: Command) => {
      // Extra arguments: most often an unquoted --input glob that the shell expanded.
      const stray = cmd.args.slice(1);
      checkExpandedGlob(opts.input as string | undefined, stray);
      if (stray.length > 0) {
        throw new UsageError([{
          path: "arguments",
          message: `Cannot run "${recipe}" with more arguments (${
            stray.map((a) => JSON.stringify(a)).join(", ")
          }): run takes one recipe`,
        }]);
      }
      checkPartnerFlags(opts);
      const replay = opts.replay as string | undefined;
      const subjects = (opts.subject as string[] | undefined) ?? [];
      if (replay !== undefined && subjects.length !== 1) {
        throw new UsageError([{
          path: "--replay",
          message: "Cannot replay without exactly one --subject ID (plus --copy, default 0)",
        }]);
      }
      done(
        await runBatch({
          recipe,
          manifest: opts.manifest as string | undefined,
          input: opts.input as string | undefined,
          idFrom: opts.idFrom as "stem" | "dir" | undefined,
          out: opts.out as string | undefined,
          workers: opts.workers as number | undefined,
          seed: opts.seed as number | undefined,
          resume: opts.resume === true,
          force: opts.force === true,
          dryRun: opts.dryRun === true,
          json: opts.json === true,
          shard: opts.shard as string | undefined,
          shardCount: opts.shardCount as number | undefined,
          quiet: opts.quiet === true,
          preview: opts.preview === true,
          stats: opts.stats as string | undefined,
          replay: replay === undefined ? undefined : {
            provenance: replay,
            subject: subjects[0],
            copy: (opts.copy as number | undefined) ?? 0,
          },
          subjects: replay === undefined ? subjects : undefined,
          limit: opts.limit as number | undefined,
          where: opts.where as string[] | undefined,
          command: ["medprep", ...Deno.args],
        }),
      );
    });
