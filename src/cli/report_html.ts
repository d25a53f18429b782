/**
 * `report OUT_DIR [--provenance FILE]`: rebuilds `OUT_DIR/report.html` from the run's
 * provenance (a shard's file gives `report.shard-I-of-N.html`). The report is written in
 * OUT_DIR only, never beside a FILE elsewhere, and only where no file is or over a report
 * medprep wrote for the same recipe (`isReportOf`); a user's file there is refused. Exit 0
 * written, 2 when there is no usable provenance file or the report's name holds a user's file.
 * Permissions: --allow-read, --allow-write (OUT_DIR).
 */
import { basename } from "node:path";
import { Command } from "commander";
import { UsageError } from "../errors.ts";
import type { CommandFactory } from "./command.ts";
import { readProvenanceFile } from "../provenance/read_provenance.ts";
import { isReportOf, reportPathOf, writeReport } from "../report/write_report.ts";
import { findUserFiles } from "../runner/run_files.ts";

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
 * Rebuilds the report of the provenance file `file` (default `<dir>/provenance.json`) in `dir`;
 * returns the report's path.
 * @throws UsageError when the provenance file is missing or damaged, or a user's file has the
 * report's name
 */
export async function rebuildReport(dir: string, file?: string): Promise<string> {
  const outDir = dir.replace(/\/+$/, "") || "/";
  const path = file ?? `${outDir}/provenance.json`;
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
  // Named after a provenance file's name (a shard's report), or report.html.
  const name = /^provenance[^/]*\.json$/.test(basename(path))
    ? basename(reportPathOf(path))
    : "report.html";
  const provenance = read.provenance;
  const issues = await findUserFiles(
    outDir,
    [{ name, vouch: (p) => isReportOf(p, provenance) }],
    "move it, or give another OUT_DIR",
  );
  if (issues.length > 0) throw new UsageError(issues.map((i) => ({ ...i, path: "OUT_DIR" })));
  return await writeReport(path, provenance, `${outDir}/${name}`);
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
