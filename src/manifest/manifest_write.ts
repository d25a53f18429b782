/**
 * Writes a manifest (CSV, TSV, JSON array, JSON Lines) that `readManifest` reads back to the
 * same subjects: an `id` column, the roles (paths relative to the written file's directory),
 * the metadata columns, then any extra columns (e.g. `fold`). Writes are atomic.
 */
import { dirname, relative, resolve } from "node:path";
import type { Manifest, MetadataValue } from "./types.ts";

/** The formats `writeManifest` writes, by file extension. */
export type ManifestFormat = "csv" | "tsv" | "json" | "jsonl";

/** The format a file name asks for, or undefined. */
export function manifestFormatOf(path: string): ManifestFormat | undefined {
  const m = /\.(csv|tsv|json|jsonl)$/i.exec(path);
  return m ? m[1].toLowerCase() as ManifestFormat : undefined;
}

function quoteCell(text: string, delimiter: string): string {
  const needs = text.includes(delimiter) || /["\r\n]/.test(text) || text.trim() !== text;
  return needs ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The text of `manifest` with `extra` columns (id → value), as `format`, paths relative to `dir`. */
export function formatManifest(
  manifest: Manifest,
  options: {
    format: ManifestFormat;
    dir: string;
    extra?: Record<string, Map<string, MetadataValue>>;
  },
): string {
  const extra = options.extra ?? {};
  const metadata = manifest.metadata.filter((c) => !(c in extra));
  const columns = ["id", ...manifest.roles, ...metadata, ...Object.keys(extra)];
  const records = manifest.rows.map((row) => {
    const record: Record<string, MetadataValue> = { id: row.id };
    for (const role of manifest.roles) {
      const path = row.paths[role];
      record[role] = path === undefined ? "" : relative(options.dir, path);
    }
    for (const c of metadata) record[c] = row.metadata?.[c] ?? "";
    for (const [c, values] of Object.entries(extra)) record[c] = values.get(row.id) ?? "";
    return record;
  });
  if (options.format === "json") return JSON.stringify(records, null, 2) + "\n";
  if (options.format === "jsonl") return records.map((r) => JSON.stringify(r) + "\n").join("");
  const d = options.format === "csv" ? "," : "\t";
  const line = (cells: string[]) => cells.map((c) => quoteCell(c, d)).join(d) + "\n";
  return line(columns) + records.map((r) => line(columns.map((c) => String(r[c])))).join("");
}

/** Writes `text` to `path` atomically (temp file in the same directory, synced, renamed). */
export async function writeTextAtomic(path: string, text: string): Promise<void> {
  const tmp = `${dirname(resolve(path))}/.medprep-tmp-${crypto.randomUUID()}`;
  try {
    {
      using file = await Deno.open(tmp, { write: true, createNew: true });
      const bytes = new TextEncoder().encode(text);
      for (let o = 0; o < bytes.length;) o += await file.write(bytes.subarray(o));
      await file.syncData();
    }
    await Deno.rename(tmp, path);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw new Error(`Cannot write "${path}": ${e instanceof Error ? e.message : String(e)}`);
  }
}
