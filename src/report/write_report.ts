/**
 * Writing `<out>/report.html` beside a provenance file (same rules: run-level, rewritten by every
 * run, atomic; a shard's report is named like its provenance file). Dataset statistics come
 * from `<out>/dataset-stats.json` when the run wrote one. Permissions: --allow-read,
 * --allow-write (the output folder).
 */
import { writeTextAtomic } from "../manifest/manifest_write.ts";
import type { Provenance } from "../provenance/types.ts";
import { renderReportHtml, type ReportExtras } from "./report_html.ts";

/** The report of provenance file `provenancePath`: `provenance.json` → `report.html`. */
export function reportPathOf(provenancePath: string): string {
  const slash = provenancePath.lastIndexOf("/");
  const dir = provenancePath.slice(0, slash + 1);
  const base = provenancePath.slice(slash + 1).replace(/^provenance/, "report").replace(
    /\.json$/,
    "",
  );
  return `${dir}${base}.html`;
}

/** Dataset statistics the run wrote beside its provenance (`dataset-stats.json`), if any. */
export async function readDatasetStats(outDir: string): Promise<ReportExtras> {
  const path = `${outDir}/dataset-stats.json`;
  try {
    return { datasetStats: JSON.parse(await Deno.readTextFile(path)), datasetStatsSource: path };
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return {};
    return { datasetStats: { unreadable: (e as Error).message }, datasetStatsSource: path };
  }
}

/**
 * Writes the report of `provenance` (read from / written to `provenancePath`) and returns its
 * path.
 */
export async function writeReport(provenancePath: string, provenance: Provenance): Promise<string> {
  const path = reportPathOf(provenancePath);
  const outDir = path.slice(0, path.lastIndexOf("/")) || ".";
  const extras = provenance.shard ? {} : await readDatasetStats(outDir);
  await writeTextAtomic(path, renderReportHtml(provenance, extras));
  return path;
}
