/**
 * `report OUT_DIR [--provenance FILE]`: rebuilds `OUT_DIR/report.html` from the run's
 * provenance (a shard's file gives `report.shard-I-of-N.html`). Exit 0 written, 2 when there
 * is no usable provenance file. Permissions: --allow-read, --allow-write (OUT_DIR).
 */
import { Command } from "commander";
import { UsageError } from "../errors.ts";
import type { CommandFactory } from "./command.ts";
import { readProvenanceFile } from "../provenance/read_provenance.ts";
import { writeReport } from "../report/write_report.ts";

async function shardFilesOf(dir: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) {
      if (e.isFile && /^provenance\.shard-\d+-of-\d+\.json$/.test(e.name)) names.push(e.name);
    }
  } catch { /* reported by the caller */ }
  return names.sort();
}

/**
 * Rebuilds the report of the provenance file `file` (default `<dir>/provenance.json`); returns
 * the report's path.
 * @throws UsageError when the provenance file is missing or damaged
 */
export async function rebuildReport(dir: string, file?: string): Promise<string> {
  const path = file ?? `${dir.replace(/\/+$/, "") || "/"}/provenance.json`;
  const read = await readProvenanceFile(path);
  if (!read.provenance) {
    let hint = "";
    if (read.problem === null && !file) {
      const shards = await shardFilesOf(dir);
      hint = shards.length
        ? `; it holds ${shards.length} shard file(s): run \`medprep merge-provenance ${dir}\` first, or give --provenance ${dir}/${
          shards[0]
        }`
        : "; is it the --out folder of a run?";
    }
    throw new UsageError([{
      path: file ? "--provenance" : "OUT_DIR",
      message: `Cannot build a report from "${path}": ${read.problem ?? "no such file"}${hint}`,
    }]);
  }
  return await writeReport(path, read.provenance);
}

/** `report OUT_DIR` */
export const createReportCommand: CommandFactory = (done) =>
  new Command("report")
    .description("Rebuild OUT_DIR/report.html (the run's HTML report) from its provenance")
    .argument("<out-dir>", "output folder of a run")
    .option("--provenance <file>", "provenance file to use (default OUT_DIR/provenance.json)")
    .action(async (dir: string, opts: { provenance?: string }) => {
      const path = await rebuildReport(dir, opts.provenance);
      console.error(`medprep: wrote ${path}`);
      done(0);
    });
