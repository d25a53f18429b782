/**
 * Selecting subjects by metadata (`run --where`, `load: { where: … }`): a tiny condition
 * language that is parsed, never evaluated as code (SPEC §6: no expressions, ever).
 *
 *   condition := column op values          (column: letters, digits, _ . -)
 *   op        := "=" | "!=" | "in" | "not in"
 *   values    := value ("," value)*        (one value for = and !=)
 *   value     := bare text without , " or spaces at its ends | "double-quoted text"
 *
 * `fold!=0`, `site=A`, `site in A,B`, `split not in test,holdout`, `site="St. Mary's"`.
 * Comparison is on the cell's text (a JSON number 0 and the CSV cell `0` are equal); an empty
 * cell is the empty text, so `split=` selects rows without a split. Several conditions
 * (repeated `--where`, a list in `load`) must all hold.
 */
import type { ManifestRow } from "./types.ts";

/** One parsed condition. */
export interface WhereCondition {
  /** The condition as written. */
  text: string;
  column: string;
  negate: boolean;
  values: string[];
}

/** A syntax error in a condition; `col` is 1-based within the condition's text. */
export class WhereSyntaxError extends Error {
  /** 1-based column of the problem in the condition text. */
  readonly col: number;
  /** `message` at `col` of the condition. */
  constructor(message: string, col: number) {
    super(message);
    this.name = "WhereSyntaxError";
    this.col = col;
  }
}

const COLUMN = /^[\p{L}\p{N}_.-]+/u;

function parseValues(text: string, start: number, single: boolean): string[] {
  const values: string[] = [];
  let i = start;
  const skip = () => {
    while (i < text.length && text[i] === " ") i++;
  };
  for (;;) {
    skip();
    let value = "";
    if (text[i] === '"') {
      const open = i++;
      while (i < text.length && text[i] !== '"') value += text[i++];
      if (i >= text.length) {
        throw new WhereSyntaxError("Cannot parse the condition: unterminated quote", open + 1);
      }
      i++;
    } else {
      const from = i;
      while (i < text.length && text[i] !== "," && text[i] !== '"') i++;
      value = text.slice(from, i).trim();
      if (text[i] === '"') {
        throw new WhereSyntaxError(
          'Cannot parse the condition: a quote must enclose the whole value, e.g. site="A B"',
          i + 1,
        );
      }
    }
    values.push(value);
    skip();
    if (i >= text.length) return values;
    if (text[i] !== ",") {
      throw new WhereSyntaxError(
        `Cannot parse the condition: unexpected ${JSON.stringify(text[i])} after a value`,
        i + 1,
      );
    }
    if (single) {
      throw new WhereSyntaxError(
        "Cannot compare with several values using = or !=: write `in` (e.g. `site in A,B`)",
        i + 1,
      );
    }
    i++;
  }
}

/**
 * Parses one condition.
 * @throws WhereSyntaxError with the 1-based column of the problem
 */
export function parseWhere(text: string): WhereCondition {
  let i = 0;
  while (text[i] === " ") i++;
  const column = COLUMN.exec(text.slice(i))?.[0];
  if (!column) {
    throw new WhereSyntaxError(
      "Cannot parse the condition: expected a column name (e.g. `fold!=0`, `site in A,B`)",
      i + 1,
    );
  }
  i += column.length;
  while (text[i] === " ") i++;
  if (text.startsWith("!=", i)) {
    return { text, column, negate: true, values: parseValues(text, i + 2, true) };
  }
  if (text[i] === "=") {
    if (text[i + 1] === "=") {
      throw new WhereSyntaxError("Cannot parse the condition: write `=`, not `==`", i + 2);
    }
    return { text, column, negate: false, values: parseValues(text, i + 1, true) };
  }
  const rest = text.slice(i);
  const keyword = /^(not\s+in|in)(\s+|$)/.exec(rest);
  if (keyword) {
    const values = parseValues(text, i + keyword[0].length, false);
    if (values.length === 1 && values[0] === "" && !rest.includes('"')) {
      throw new WhereSyntaxError(
        "Cannot parse the condition: `in` needs a list of values (e.g. `fold in 1,2`)",
        text.length + 1,
      );
    }
    return { text, column, negate: keyword[1] !== "in", values };
  }
  throw new WhereSyntaxError(
    "Cannot parse the condition: expected `=`, `!=`, `in` or `not in` after the column name",
    i + 1,
  );
}

/** The text a row has in `column` ("" when empty or absent). */
export function cellText(row: ManifestRow, column: string): string {
  if (column === "id") return row.id;
  const value = row.metadata?.[column];
  return value === undefined ? "" : String(value);
}

/** True when `row` satisfies every condition. */
export function matchesWhere(row: ManifestRow, conditions: readonly WhereCondition[]): boolean {
  return conditions.every((c) => c.values.includes(cellText(row, c.column)) !== c.negate);
}

/**
 * The columns of `conditions` that are not metadata columns of the manifest (or `id`): a
 * condition on a role (a path column) or a misspelt column is an error, not "nothing matches".
 */
export function unknownWhereColumns(
  conditions: readonly WhereCondition[],
  metadata: readonly string[],
): WhereCondition[] {
  return conditions.filter((c) => c.column !== "id" && !metadata.includes(c.column));
}
