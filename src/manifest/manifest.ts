import { basename, dirname, resolve } from "node:path";
import { ManifestError } from "../errors.ts";
import { deriveStem } from "../nifti/nifti_paths.ts";
import { readCsv } from "./csv.ts";
import { expandGlob } from "./glob.ts";
import { parseManifestEntries, type RawRow } from "./manifest_entries.ts";
import { readJsonRows } from "./manifest_json.ts";
import type { Manifest } from "./types.ts";

export type { Manifest, ManifestRow } from "./types.ts";

function fail(source: string, message: string): never {
  throw new ManifestError([{ file: source, path: "", message }]);
}

async function readText(source: string): Promise<string> {
  try {
    return await Deno.readTextFile(source);
  } catch (e) {
    const reason = e instanceof Deno.errors.NotFound
      ? "file not found"
      : e instanceof Error
      ? e.message
      : String(e);
    fail(source, `Cannot read manifest "${source}": ${reason}`);
  }
}

function kindOf(source: string, text: string): Exclude<Manifest["kind"], "glob"> {
  const lower = source.toLowerCase();
  if (lower.endsWith(".csv")) return "csv";
  if (lower.endsWith(".tsv")) return "tsv";
  if (lower.endsWith(".jsonl") || lower.endsWith(".ndjson")) return "jsonl";
  if (lower.endsWith(".json")) return /^\s*\{/.test(text) ? "msd" : "json";
  fail(source, `Cannot read manifest "${source}": unknown format; use .csv, .tsv, .json, .jsonl`);
}

function delimitedRows(source: string, text: string, delimiter: string): RawRow[] {
  let records;
  try {
    records = readCsv(text, delimiter);
  } catch (e) {
    fail(source, `Cannot parse manifest "${source}": ${(e as Error).message}`);
  }
  if (records.length === 0) fail(source, `Cannot use manifest "${source}": it is empty`);
  const [header, ...body] = records;
  const names = header.fields.map((f) => f.trim());
  const bad = names.find((n, i) => n === "" || names.indexOf(n) !== i);
  if (bad !== undefined) {
    const why = bad === "" ? "an empty column name" : `column "${bad}" twice`;
    fail(source, `Cannot use manifest "${source}": its header has ${why}`);
  }
  return body.map((r) => ({
    row: r.line,
    lineBased: true,
    cells: Object.fromEntries(names.map((n, i) => [n, r.fields[i]?.trim() ?? ""])),
    problem: r.fields.length === names.length
      ? undefined
      : `it has ${r.fields.length} fields, the header has ${names.length}`,
  }));
}

/** Where a glob's subject ids come from: the file stem, or the name of the file's folder. */
export type IdFrom = "stem" | "dir";

async function globRows(pattern: string, idFrom: IdFrom): Promise<RawRow[]> {
  const files = await expandGlob(pattern);
  if (files.length === 0) fail(pattern, `Cannot find any file matching "${pattern}"`);
  const idOf = (f: string) => idFrom === "dir" ? basename(dirname(f)) : deriveStem(f);
  return files.map((f, i) => ({ row: i + 1, label: f, cells: { id: idOf(f), image: f } }));
}

/**
 * Reads a manifest (CSV/TSV with a header, JSON array, JSON Lines, MSD `dataset.json`) or,
 * with `glob`, the files matching a pattern (id = file stem, or its folder's name with
 * `idFrom: "dir"`; role `image`); relative paths
 * resolve against the manifest's directory. Every input file is checked to exist.
 * @throws ManifestError listing every problem with its row.
 */
export async function readManifest(
  source: string,
  options: { glob?: boolean; idFrom?: IdFrom } = {},
): Promise<Manifest> {
  if (options.glob) {
    const rows = await globRows(source, options.idFrom ?? "stem");
    return parseManifestEntries(source, "glob", rows, Deno.cwd());
  }
  const text = await readText(source);
  const kind = kindOf(source, text);
  const base = dirname(resolve(source));
  let raw: RawRow[];
  if (kind === "csv" || kind === "tsv") {
    raw = delimitedRows(source, text, kind === "csv" ? "," : "\t");
  } else raw = readJsonRows(source, text, kind);
  return parseManifestEntries(source, kind, raw, base);
}

export { ID_COLUMNS } from "./manifest_entries.ts";
