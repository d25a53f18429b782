/**
 * `merge-provenance DIR`: combines the `provenance.shard-I-of-N.json` files of a sharded run
 * into `DIR/provenance.json`, reporting missing shards and subjects missing from every shard
 * or present in two (exit 1 when there is any problem; the merged file is still written), and
 * writes the merged run's output manifest (`manifest.csv`, `dataset.json`) and `report.html`.
 * Each of these four files is written only where none is or over what an earlier merge of the
 * same shards wrote: a provenance.json of the same recipe, no shard's, whose every recorded
 * output a shard records too; the manifest.csv / dataset.json its `runFiles` record (same
 * sha256); a report.html medprep wrote for that recipe (`isReportOf`). Any other file there is a
 * user's: nothing is written and the command exits 2.
 * Permissions: --allow-read, --allow-write (DIR).
 */
import { basename } from "node:path";
import { Command } from "commander";
import type { CommandFactory } from "./command.ts";
import { mergeProvenance } from "../provenance/merge.ts";
import { writeJsonAtomic } from "../provenance/stable_json.ts";
import type { Provenance } from "../provenance/types.ts";
import { findProvenanceProblem } from "../provenance/provenance_shape.ts";
import { isReportOf, reportPathOf, writeReport } from "../report/write_report.ts";
import { runFileNames, writeOutputManifest } from "../provenance/output_manifest.ts";
import { readProvenanceFile } from "../provenance/read_provenance.ts";
import { findUserFiles, recordedAs } from "../runner/run_files.ts";
import { sameRecipe } from "../runner/previous_run.ts";
import { ManifestError } from "../errors.ts";

const SHARD_FILE = /^provenance\.shard-(\d+)-of-(\d+)\.json$/;

/**
 * Whether `earlier` (the provenance.json in DIR) is a merged provenance this merge may replace:
 * not a shard's, the same recipe as the shards, and every output it records (path and sha256)
 * recorded by the merged shards too — replacing it loses no record of a file.
 */
function isEarlierMerge(earlier: Provenance, merged: Provenance): boolean {
  if (earlier.shard || !sameRecipe(earlier, merged)) return false;
  const outputs = new Set(
    merged.subjects.flatMap((s) => s.outputs.map((o) => `${o.path}\0${o.sha256}`)),
  );
  return earlier.subjects.every((s) =>
    s.outputs.every((o) => outputs.has(`${o.path}\0${o.sha256}`))
  );
}

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
      delete merged.runFiles;
      // Issue 12.9: manifest.csv + dataset.json of the merged run. Nothing is written unless
      // each file it writes is absent or vouched for by the shards (module comment).
      const previous = await readProvenanceFile(target);
      const earlier = previous.provenance;
      const mergedBefore = earlier ? isEarlierMerge(earlier, merged) : false;
      const recorded = earlier && mergedBefore ? earlier.runFiles ?? [] : [];
      const names = runFileNames("provenance.json");
      const issues = await findUserFiles(
        dir,
        [
          { name: "provenance.json", vouch: () => Promise.resolve(mergedBefore) },
          { name: basename(reportPathOf(target)), vouch: (p) => isReportOf(p, merged) },
          { name: names.manifest, vouch: recordedAs(recorded, names.manifest) },
          { name: names.dataset, vouch: recordedAs(recorded, names.dataset) },
        ],
        "move it; merge-provenance replaces only the files an earlier merge of these shards wrote",
      );
      if (issues.length > 0) throw new ManifestError(issues.map((i) => ({ ...i, path: "DIR" })));
      merged.runFiles = await writeOutputManifest(dir, merged);
      await writeJsonAtomic(target, merged);
      await writeReport(target, merged); // report.html of the whole run (issue 14.2)
      for (const p of problems) console.error(`medprep: ${p}`);
      console.error(
        `medprep: merged ${shards.length} shard file(s), ${merged.subjects.length} subjects → ${target}` +
          (problems.length ? ` (${problems.length} problem(s))` : ""),
      );
      done(problems.length > 0 ? 1 : 0);
    });
