import { isAbsolute, resolve } from "node:path";
import { type Issue, ManifestError } from "../errors.ts";
import { pairPartnerCandidates } from "../nifti/nifti_paths.ts";
import { describeNonRegular, forgetChecked, statChecked } from "../nifti/regular_file.ts";
import type { Manifest, ManifestRow, MetadataValue } from "./types.ts";

/** A manifest entry before validation: its cells as read and where it is. */
export interface RawRow {
  /** 1-based line (line-based formats) or entry number. */
  row: number;
  /** True when `row` is a line of the file (CSV, TSV, JSON Lines). */
  lineBased?: boolean;
  /** How to name the entry in messages when not line-based, e.g. `training[3]`. */
  label?: string;
  cells: Record<string, unknown>;
  /** A problem found while reading the entry (wrong field count, not an object …). */
  problem?: string;
}

/**
 * Columns accepted as the subject id, in order of preference: `id`, else `subject_id`, else
 * `subject`; every other column is a role holding a path (an empty cell: no file), or metadata
 * when none of its cells names a NIfTI file.
 */
export const ID_COLUMNS = ["id", "subject_id", "subject"] as const;

/**
 * The id column among `columns`: `id`, `subject_id` or `subject` exactly, else the first of
 * them in another case (`ID`, `Subject_ID`), else undefined.
 */
export function findIdColumn(columns: readonly string[]): string | undefined {
  for (const want of ID_COLUMNS) if (columns.includes(want)) return want;
  for (const want of ID_COLUMNS) {
    const found = columns.find((c) => c.trim().toLowerCase() === want);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Places an issue at a row (and column) of a manifest. */
export function rowIssue(source: string, raw: RawRow, column: string, message: string): Issue {
  if (raw.lineBased) return { file: source, line: raw.row, path: column, message };
  const where = raw.label ?? `row ${raw.row}`;
  return { file: source, path: column ? `${where}.${column}` : where, message };
}

/** A cell naming a NIfTI file (SPEC §7): `.nii`, `.nii.gz`, `.hdr`, `.img`, optionally gzipped. */
export const NIFTI_NAME = /\.(nii|hdr|img)(\.gz)?$/i;

// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

function badId(id: string): string | undefined {
  if (CONTROL.test(id)) {
    return "ids name output files and must not contain control characters (newline, tab, NUL, escape …)";
  }
  if (/[/\\]/.test(id)) return "ids name output files and must not contain / or \\";
  if (id === "." || id === "..") return "ids name output files and cannot be . or ..";
  return undefined;
}

/**
 * Why the input file `path` cannot be used, or undefined. Synchronous on purpose: a stat is a
 * few microseconds, while 100,000 pending async stats cost ten times as much (issue #15.3c).
 */
function checkFile(path: string): string | undefined {
  try {
    const irregular = describeNonRegular(statChecked(path));
    if (irregular) return irregular;
    // The other half of a .hdr/.img pair, when it exists, must be a regular file too.
    for (const partner of pairPartnerCandidates(path)) {
      let info: Deno.FileInfo;
      try {
        info = Deno.statSync(partner);
      } catch {
        continue;
      }
      const bad = describeNonRegular(info);
      return bad && `its pair "${partner}" is ${bad}`;
    }
    return undefined;
  } catch (e) {
    return e instanceof Deno.errors.NotFound ? "file not found" : (e as Error).message;
  }
}

/**
 * Turns raw entries into subjects: id column, roles, paths resolved against `base`, every
 * input file checked.
 * @throws ManifestError listing every problem with its row.
 */
export function parseManifestEntries(
  source: string,
  kind: Manifest["kind"],
  raw: RawRow[],
  base: string,
): Manifest {
  forgetChecked(); // sizes seen by an earlier manifest of this process may be stale
  const issues: Issue[] = [];
  const order = new Map<Issue, number>();
  const indexOf = new Map(raw.map((r, i) => [r, i]));
  const add = (r: RawRow, column: string, message: string) => {
    const issue = rowIssue(source, r, column, message);
    order.set(issue, indexOf.get(r)!);
    issues.push(issue);
  };
  const columns: string[] = [];
  for (const r of raw) {
    for (const k of Object.keys(r.cells)) if (!columns.includes(k)) columns.push(k);
  }
  const idColumn = findIdColumn(columns);
  const others = columns.filter((c) => c !== idColumn);
  // A column none of whose non-empty cells names a NIfTI file is metadata (SPEC §7).
  const isRole = (c: string) =>
    kind === "glob" ||
    raw.some((r) =>
      typeof r.cells[c] === "string" && NIFTI_NAME.test((r.cells[c] as string).trim())
    );
  const roles = others.filter(isRole);
  const metadata = others.filter((c) => !isRole(c));
  if (raw.length === 0) {
    issues.push({
      file: source,
      path: "",
      message: `Cannot use manifest "${source}": it lists no subjects`,
    });
  } else if (!idColumn) {
    issues.push({
      file: source,
      path: "",
      message: `Cannot use manifest "${source}": no id column (${
        ID_COLUMNS.join(", ")
      }, in any case); the columns are ${columns.map((c) => JSON.stringify(c)).join(", ")}`,
    });
  } else if (roles.length === 0) {
    issues.push({
      file: source,
      path: "",
      message: `Cannot use manifest "${source}": no path columns (roles such as image, label)${
        others.length ? `; ${others.join(", ")} name no .nii, .nii.gz, .hdr or .img file` : ""
      }`,
    });
  }
  for (const column of others) {
    // Roles name output files ({role}) like ids do; metadata names provenance keys.
    const bad = badId(column);
    if (bad && (roles.includes(column) || CONTROL.test(column))) {
      issues.push({
        file: source,
        path: "",
        message: `Cannot use column ${JSON.stringify(column)} as a role: ${
          bad.replace("ids", "roles")
        }`,
      });
    }
  }
  if (issues.length) throw new ManifestError(issues);
  const seen = new Map<string, RawRow>();
  const rows: ManifestRow[] = [];
  for (const r of raw) {
    if (r.problem) {
      add(r, "", `Cannot read entry: ${r.problem}`);
      continue;
    }
    const rawId = r.cells[idColumn!];
    const id = typeof rawId === "number"
      ? String(rawId)
      : typeof rawId === "string"
      ? rawId.trim()
      : "";
    if (id === "") add(r, idColumn!, "Missing id");
    else if (badId(id)) add(r, idColumn!, `Cannot use id ${JSON.stringify(id)}: ${badId(id)}`);
    else if (seen.has(id)) {
      const first = seen.get(id)!;
      const at = first.lineBased ? `line ${first.row}` : first.label ?? `row ${first.row}`;
      add(
        r,
        idColumn!,
        `Cannot use id "${id}" twice: first used at ${at}${
          kind === "glob" ? "; to take ids from the folder names, add --id-from dir" : ""
        }`,
      );
    } else seen.set(id, r);
    const paths: Record<string, string> = {};
    for (const role of roles) {
      const cell = r.cells[role];
      if (cell === undefined || cell === null || cell === "") continue;
      if (typeof cell !== "string") {
        add(r, role, `Cannot use ${JSON.stringify(cell)}: expected a file path`);
        continue;
      }
      const path = isAbsolute(cell) ? cell : resolve(base, cell);
      paths[role] = path;
      const reason = checkFile(path);
      if (reason) {
        const verb = reason === "file not found" ? "find" : "use";
        add(r, role, `Cannot ${verb} "${cell}": ${reason}`);
      }
    }
    if (Object.keys(paths).length === 0 && id !== "") {
      add(r, "", `Cannot use subject ${JSON.stringify(id)}: it has no file in any role`);
    }
    const values: Record<string, MetadataValue> = {};
    for (const column of metadata) {
      const cell = r.cells[column];
      if (cell === undefined || cell === null || cell === "") continue;
      values[column] = typeof cell === "object" ? JSON.stringify(cell) : cell as MetadataValue;
    }
    rows.push({ id, row: r.row, paths, ...(metadata.length ? { metadata: values } : {}) });
  }
  if (issues.length) {
    const sorted = issues.map((issue, k) => ({ issue, k, at: order.get(issue) ?? -1 }))
      .sort((a, b) => a.at - b.at || a.k - b.k);
    throw new ManifestError(sorted.map((x) => x.issue));
  }
  const used = roles.filter((role) => rows.some((row) => role in row.paths));
  return { source, kind, roles: used, metadata, rows };
}
