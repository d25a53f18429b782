/**
 * Writing `<out>/report.html` beside a provenance file (same rules: run-level, rewritten by every
 * run, atomic; a shard's report is named like its provenance file). Dataset statistics come
 * from `<out>/dataset-stats.json` when the run wrote one. A report medprep wrote is known by its
 * start and title (`isReportOf`), so commands may rebuild it and never replace a user's file of
 * that name. Permissions: --allow-read, --allow-write (the output folder).
 */
import { writeTextAtomic } from "../manifest/manifest_write.ts";
import type { Provenance } from "../provenance/types.ts";
import { escapeHtml } from "./html.ts";
import { renderReportHtml, type ReportExtras, reportNameOf } from "./report_html.ts";

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
 * Whether the file at `path` is a report medprep wrote for a run of the recipe `provenance`
 * names: it starts as `renderReportHtml` starts and bears that recipe's title.
 */
export async function isReportOf(
  path: string,
  provenance: Pick<Provenance, "recipe">,
): Promise<boolean> {
  try {
    using file = await Deno.open(path);
    const head = new Uint8Array(4096);
    const n = (await file.read(head)) ?? 0;
    const text = new TextDecoder().decode(head.subarray(0, n));
    return text.startsWith("<!DOCTYPE html>\n") &&
      text.includes(`<title>medprep report: ${escapeHtml(reportNameOf(provenance))}</title>`);
  } catch {
    return false;
  }
}

/**
 * Writes the report of `provenance` (read from / written to `provenancePath`) to `path`
 * (default: beside it, `reportPathOf`) and returns its path.
 */
export async function writeReport(
  provenancePath: string,
  provenance: Provenance,
  path = reportPathOf(provenancePath),
): Promise<string> {
  const outDir = path.slice(0, path.lastIndexOf("/")) || ".";
  const extras = provenance.shard ? {} : await readDatasetStats(outDir);
  await writeTextAtomic(path, renderReportHtml(provenance, extras));
  return path;
}
