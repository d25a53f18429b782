/**
 * `merge-provenance DIR`: combines the `provenance.shard-I-of-N.json` files of a sharded run
 * into `DIR/provenance.json`, reporting missing shards and subjects missing from every shard
 * or present in two (exit 1 when there is any problem; the merged file is still written), and
 * writes the merged run's output manifest (`manifest.csv`, `dataset.json`).
 * Permissions: --allow-read, --allow-write (DIR).
 */
import { Command } from "commander";
import type { CommandFactory } from "./command.ts";
import { mergeProvenance } from "../provenance/merge.ts";
import { writeJsonAtomic } from "../provenance/stable_json.ts";
import type { Provenance } from "../provenance/types.ts";
import { findProvenanceProblem } from "../provenance/provenance_shape.ts";
import { writeReport } from "../report/write_report.ts";
import { runFileNames, writeOutputManifest } from "../provenance/output_manifest.ts";
import { readProvenanceFile } from "../provenance/read_provenance.ts";
import { checkRunFiles } from "../runner/run_files.ts";
import { ManifestError } from "../errors.ts";

const SHARD_FILE = /^provenance\.shard-(\d+)-of-(\d+)\.json$/;

/** Reads every shard file of `dir`, in name order. */
export async function readShardFiles(
  dir: string,
): Promise<{ file: string; provenance: Provenance }[]> {
  const names: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) {
      if (e.isFile && SHARD_FILE.test(e.name)) names.push(e.name);
    }
  } catch (e) {
    const reason = e instanceof Deno.errors.NotFound
      ? "no such directory"
      : e instanceof Deno.errors.NotADirectory
      ? "not a directory"
      : (e as Error).message;
    throw new Error(`Cannot read directory "${dir}": ${reason}`);
  }
  const out = [];
  for (const name of names.sort()) {
    const file = `${dir}/${name}`;
    let value: unknown;
    try {
      value = JSON.parse(await Deno.readTextFile(file));
    } catch (e) {
      throw new Error(`Cannot read "${file}": ${(e as Error).message}`);
    }
    const problem = findProvenanceProblem(value);
    if (problem) {
      throw new Error(`Cannot read "${file}": it is not a medprep provenance file: ${problem}`);
    }
    out.push({ file, provenance: value as Provenance });
  }
  return out;
}

/** `merge-provenance DIR` */
export const createMergeProvenanceCommand: CommandFactory = (done) =>
  new Command("merge-provenance")
    .description("Merge the provenance.shard-*.json files of a --shard run into provenance.json")
    .argument("<dir>", "output directory of the sharded run")
    .action(async (dir: string) => {
      const shards = await readShardFiles(dir);
      if (shards.length === 0) {
        console.error(`medprep: Cannot merge "${dir}": no provenance.shard-I-of-N.json files`);
        done(1);
        return;
      }
      const { merged, problems } = mergeProvenance(shards, ["medprep", ...Deno.args]);
      const target = `${dir}/provenance.json`;
      // Issue 12.9: manifest.csv + dataset.json of the merged run, replacing only the ones a
      // merge (recorded in the provenance.json it replaces) wrote; each shard keeps its own.
      const previous = await readProvenanceFile(target);
      const names = runFileNames("provenance.json");
      delete merged.runFiles;
      try {
        await checkRunFiles(
          dir,
          [names.manifest, names.dataset],
          previous.provenance?.runFiles ?? [],
        );
        merged.runFiles = await writeOutputManifest(dir, merged);
      } catch (e) {
        problems.push(
          e instanceof ManifestError ? e.issues.map((i) => i.message).join("; ") : String(e),
        );
      }
      await writeJsonAtomic(target, merged);
      await writeReport(target, merged); // report.html of the whole run (issue 14.2)
      for (const p of problems) console.error(`medprep: ${p}`);
      console.error(
        `medprep: merged ${shards.length} shard file(s), ${merged.subjects.length} subjects → ${target}` +
          (problems.length ? ` (${problems.length} problem(s))` : ""),
      );
      done(problems.length > 0 ? 1 : 0);
    });
