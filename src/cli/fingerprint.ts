/**
 * `fingerprint [recipe]`: without a recipe, the dataset fingerprint of a manifest (per role
 * distributions, intensity and label statistics, a suggested recipe; fingerprint_dataset.ts).
 * Permissions: --allow-read, --allow-write (--recipe-out only).
 */
import { Command, InvalidArgumentError, Option } from "commander";
import type { CommandFactory } from "./command.ts";
import { runDatasetFingerprint } from "./fingerprint_dataset.ts";
import { UsageError } from "../errors.ts";

function positive(text: string): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1) {
    throw new InvalidArgumentError("must be an integer from 1");
  }
  return Number(text);
}

/** The `fingerprint` subcommand. */
export const createFingerprintCommand: CommandFactory = (done) =>
  new Command("fingerprint")
    .description(
      "Dataset fingerprint (spacing, shape, orientation, intensity, labels) and a suggested recipe",
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
    .option("--quiet", "no progress")
    .action(async (recipe: string | undefined, opts: Record<string, unknown>) => {
      if (recipe !== undefined) {
        throw new UsageError([{
          path: "fingerprint",
          message:
            `Cannot fingerprint recipe "${recipe}" yet: give no recipe for the dataset fingerprint`,
        }]);
      }
      done(await runDatasetFingerprint(opts as Parameters<typeof runDatasetFingerprint>[0]));
    });
