/**
 * `split MANIFEST --folds K --seed S [--group COL] [--stratify COL]`: cross-validation folds
 * (manifest/split.ts). Writes the manifest with a `fold` column (0-based; an existing `fold`
 * column is replaced) and nnU-Net's `splits_final.json` (per fold `{train, val}` id lists);
 * select a fold's subjects with `run --where fold!=0`. Nothing is overwritten without
 * `--force`; both files are written atomically. Permissions: --allow-read, --allow-write.
 */
import { Command, InvalidArgumentError, Option } from "commander";
import { basename, dirname, extname, resolve } from "node:path";
import { type Issue, ManifestError, UsageError } from "../errors.ts";
import { readManifest } from "../manifest/manifest.ts";
import {
  formatManifest,
  type ManifestFormat,
  manifestFormatOf,
  writeTextAtomic,
} from "../manifest/manifest_write.ts";
import { nnunetSplits, splitFolds, splitProblems } from "../manifest/split.ts";
import { rowIssue } from "../manifest/manifest_entries.ts";
import { didYouMean } from "../recipe/did_you_mean.ts";
import { findSameFile } from "../runner/same_file.ts";
import type { CommandFactory } from "./command.ts";

function integer(min: number) {
  return (text: string): number => {
    if (!/^\d+$/.test(text.trim()) || Number(text) < min || !Number.isSafeInteger(+text)) {
      throw new InvalidArgumentError(
        `must be an integer from ${min} to ${Number.MAX_SAFE_INTEGER}`,
      );
    }
    return Number(text);
  };
}

const exists = (path: string) => Deno.lstat(path).then(() => true, () => false);

/** Default output: `<dir>/<stem>_folds.<ext>` next to the manifest (MSD and glob: CSV). */
function defaultOut(source: string, kind: string): string {
  const ext = kind === "csv" || kind === "tsv" || kind === "json" || kind === "jsonl"
    ? kind
    : "csv";
  const name = basename(source);
  const stem = name.slice(0, name.length - extname(name).length);
  return resolve(dirname(resolve(source)), `${stem}_folds.${ext}`);
}

/** The `split` subcommand. */
export const createSplitCommand: CommandFactory = (done) =>
  new Command("split")
    .description(
      "Assign cross-validation folds: a manifest with a fold column and nnU-Net's splits_final.json",
    )
    .argument("<manifest>", "manifest (CSV, TSV, JSON, JSONL, MSD dataset.json)")
    .addOption(new Option("--folds <k>", "number of folds").argParser(integer(2)).default(5))
    .addOption(new Option("--seed <n>", "seed of the shuffle").argParser(integer(0)).default(0))
    .option("--group <column>", "metadata column naming groups (patients) that never span folds")
    .option("--stratify <column>", "metadata column whose values are balanced across folds")
    .option(
      "--out <file>",
      "manifest to write (.csv/.tsv/.json/.jsonl; default <stem>_folds.<ext>)",
    )
    .option("--splits <file>", "nnU-Net splits file (default splits_final.json beside --out)")
    .option("--force", "overwrite existing output files")
    .option("--quiet", "print errors only")
    .action(async (source: string, opts: Record<string, unknown>) => {
      const manifest = await readManifest(source);
      const folds = opts.folds as number, seed = opts.seed as number;
      const group = opts.group as string | undefined;
      const stratify = opts.stratify as string | undefined;
      const usage: Issue[] = [];
      for (const [flag, column] of [["--group", group], ["--stratify", stratify]] as const) {
        if (column !== undefined && column !== "id" && !manifest.metadata.includes(column)) {
          usage.push({
            path: flag,
            message: `Cannot split by "${column}": ${
              manifest.roles.includes(column)
                ? "it is a role (a path column), not metadata"
                : `the manifest has no such metadata column${didYouMean(column, manifest.metadata)}`
            } (metadata: ${manifest.metadata.join(", ") || "none"})`,
          });
        }
      }
      const out = resolve(opts.out as string ?? defaultOut(source, manifest.kind));
      const format = manifestFormatOf(out);
      if (!format) {
        usage.push({
          path: "--out",
          message: `Cannot write "${out}": use .csv, .tsv, .json or .jsonl`,
        });
      }
      const splits = resolve(opts.splits as string ?? `${dirname(out)}/splits_final.json`);
      if (splits === out || findSameFile(splits, [out])) {
        usage.push({ path: "--splits", message: "Cannot write both files to one path" });
      }
      // Never an input (the manifest, a subject's file), whatever path leads to it, even --force.
      const inputs = [resolve(source), ...manifest.rows.flatMap((r) => Object.values(r.paths))];
      for (const target of [out, splits]) {
        const flag = target === out ? "--out" : "--splits";
        const same = target === resolve(source) ? target : findSameFile(target, inputs);
        if (same !== undefined) {
          usage.push({
            path: flag,
            message: same === inputs[0]
              ? `Cannot overwrite the input manifest "${source}" (it is the same file as "${target}")`
              : `Cannot write "${target}": it is the same file as the input "${same}"`,
          });
        } else if (!opts.force && await exists(target)) {
          usage.push({
            path: flag,
            message: `Cannot write "${target}": it exists; give --force to replace it`,
          });
        }
      }
      if (usage.length) {
        throw new UsageError(usage);
      }
      const options = { folds, seed, group, stratify };
      const problems = splitProblems(manifest.rows, options);
      if (problems.length) {
        throw new ManifestError(problems.map((p) =>
          p.row
            ? rowIssue(
              manifest.source,
              {
                row: p.row.row,
                lineBased: ["csv", "tsv", "jsonl"].includes(manifest.kind),
                cells: {},
              },
              "",
              p.message,
            )
            : { file: manifest.source, path: "", message: p.message }
        ));
      }
      const split = splitFolds(manifest.rows, options);
      const text = formatManifest(manifest, {
        format: format as ManifestFormat,
        dir: dirname(out),
        extra: { fold: split.folds },
      });
      await writeTextAtomic(out, text);
      await writeTextAtomic(splits, JSON.stringify(nnunetSplits(split, folds), null, 2) + "\n");
      if (!opts.quiet) {
        for (const [f, c] of split.counts.entries()) {
          const strata = Object.entries(c.strata).sort(([a], [b]) => a < b ? -1 : 1)
            .map(([v, n]) => `${stratify}=${v}: ${n}`).join(", ");
          console.error(`medprep: fold ${f}: ${c.rows} subjects${strata ? ` (${strata})` : ""}`);
        }
        console.error(
          `medprep: ${manifest.rows.length} subjects in ${split.groups} group(s) → ${out}, ${splits}`,
        );
      }
      done(0);
    });
