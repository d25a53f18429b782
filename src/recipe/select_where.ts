/**
 * The subjects a run selects by metadata: the recipe's `load: { where }` and the command
 * line's `--where` (manifest/where.ts), all of which must hold. Conditions name metadata
 * columns (or `id`); a column the manifest lacks is an error, never "nothing matches".
 */
import { type Issue, ManifestError, UsageError } from "../errors.ts";
import type { Manifest, ManifestRow } from "../manifest/types.ts";
import {
  matchesWhere,
  parseWhere,
  type WhereCondition,
  WhereSyntaxError,
} from "../manifest/where.ts";
import { didYouMean } from "./did_you_mean.ts";
import type { Plan } from "./plan.ts";

function columnIssue(manifest: Manifest, c: WhereCondition, at: string): Issue {
  const metadata = manifest.metadata ?? [];
  const why = manifest.roles.includes(c.column)
    ? "it is a role (a path column); conditions compare metadata columns"
    : `the manifest has no such column${didYouMean(c.column, ["id", ...metadata])}`;
  return {
    file: manifest.source,
    path: "",
    message: `Cannot select subjects by ${JSON.stringify(c.text)} (${at}): ${why} (metadata: ${
      metadata.length ? metadata.join(", ") : "none"
    })`,
  };
}

const unknown = (manifest: Manifest, c: WhereCondition) =>
  c.column !== "id" && !(manifest.metadata ?? []).includes(c.column);

/** Issues for the recipe's conditions naming columns `manifest` lacks (bindManifest). */
export function recipeWhereIssues(plan: Plan, manifest: Manifest): Issue[] {
  return (plan.where ?? []).map(parseWhere).filter((c) => unknown(manifest, c))
    .map((c) => columnIssue(manifest, c, `steps[${plan.source.index}].where`));
}

/**
 * Parses `--where` conditions (repeatable).
 * @throws UsageError naming the character of the first syntax error of each
 */
export function parseWhereOptions(texts: readonly string[]): WhereCondition[] {
  const issues: Issue[] = [];
  const parsed: WhereCondition[] = [];
  for (const text of texts) {
    try {
      parsed.push(parseWhere(text));
    } catch (e) {
      if (!(e instanceof WhereSyntaxError)) throw e;
      issues.push({
        path: "--where",
        message: `${e.message} (character ${e.col} of ${JSON.stringify(text)})`,
      });
    }
  }
  if (issues.length) throw new UsageError(issues);
  return parsed;
}

/**
 * The rows of `manifest` satisfying the recipe's and the command line's conditions, in
 * manifest order (every row when there are none).
 * @throws ManifestError / UsageError naming a column the manifest lacks
 */
export function selectWhere(
  manifest: Manifest,
  plan: Plan,
  options: { where?: readonly string[] } = {},
): ManifestRow[] {
  const recipe = (plan.where ?? []).map(parseWhere);
  const cli = parseWhereOptions(options.where ?? []);
  const recipeIssues = recipeWhereIssues(plan, manifest);
  if (recipeIssues.length) throw new ManifestError(recipeIssues);
  const cliIssues = cli.filter((c) => unknown(manifest, c)).map((c) =>
    columnIssue(manifest, c, "--where")
  );
  if (cliIssues.length) throw new UsageError(cliIssues);
  const all = [...recipe, ...cli];
  return all.length ? manifest.rows.filter((r) => matchesWhere(r, all)) : [...manifest.rows];
}
