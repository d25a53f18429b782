import { ManifestError } from "../errors.ts";
import { deriveStem } from "../nifti/nifti_paths.ts";
import type { RawRow } from "./manifest_entries.ts";

function fail(source: string, message: string): never {
  throw new ManifestError([{ file: source, path: "", message }]);
}

function parse(source: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    fail(source, `Cannot parse manifest "${source}": ${(e as Error).message}`);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function msdRows(source: string, data: Record<string, unknown>): RawRow[] {
  const rows: RawRow[] = [];
  for (const list of ["training", "test"]) {
    const entries = data[list];
    if (entries === undefined) continue;
    if (!Array.isArray(entries)) fail(source, `Cannot use "${list}": expected a list`);
    entries.forEach((e, i) => {
      const label = `${list}[${i}]`;
      const cells = typeof e === "string" ? { image: e } : isObject(e) ? { ...e } : undefined;
      if (!cells) {
        rows.push({
          row: rows.length + 1,
          label,
          cells: {},
          problem: "expected a path or {image, label}",
        });
        return;
      }
      const image = cells.image;
      const id = typeof image === "string" ? deriveStem(image) : "";
      rows.push({ row: rows.length + 1, label, cells: { id, ...cells } });
    });
  }
  return rows;
}

/**
 * Entries of a JSON array of objects, a JSON Lines file, or an MSD `dataset.json`
 * (`training` list of {image, label}, `test` list of paths or objects; id = image file stem).
 * @throws ManifestError when the file as a whole cannot be parsed.
 */
export function readJsonRows(
  source: string,
  text: string,
  kind: "json" | "jsonl" | "msd",
): RawRow[] {
  if (kind === "jsonl") {
    const rows: RawRow[] = [];
    text.split("\n").forEach((line, i) => {
      if (line.trim() === "") return;
      try {
        const v = JSON.parse(line);
        rows.push(
          isObject(v)
            ? { row: i + 1, lineBased: true, cells: v }
            : { row: i + 1, lineBased: true, cells: {}, problem: "expected a JSON object" },
        );
      } catch (e) {
        rows.push({
          row: i + 1,
          lineBased: true,
          cells: {},
          problem: `invalid JSON: ${(e as Error).message}`,
        });
      }
    });
    return rows;
  }
  const data = parse(source, text);
  if (kind === "msd") {
    if (!isObject(data) || (!("training" in data) && !("test" in data))) {
      fail(
        source,
        `Cannot use manifest "${source}": a JSON object must be an MSD dataset.json with training/test lists`,
      );
    }
    return msdRows(source, data);
  }
  if (!Array.isArray(data)) {
    fail(source, `Cannot use manifest "${source}": expected a JSON array of objects`);
  }
  return data.map((v, i) =>
    isObject(v)
      ? { row: i + 1, label: `[${i}]`, cells: v }
      : { row: i + 1, label: `[${i}]`, cells: {}, problem: "expected a JSON object" }
  );
}
