import { type Issue, ManifestError } from "../errors.ts";
import { deriveStem } from "../nifti/nifti_paths.ts";
import { renderName } from "./name_template.ts";
import type { Recipe } from "./recipe.ts";
import { findStep } from "../steps/registry.ts";
import type { Manifest, ManifestRow } from "../manifest/types.ts";

function at(manifest: Manifest, row: ManifestRow): Pick<Issue, "line" | "path"> {
  const lineBased = manifest.kind === "csv" || manifest.kind === "tsv" || manifest.kind === "jsonl";
  return lineBased ? { line: row.row, path: "" } : { path: `row ${row.row}` };
}

function where(manifest: Manifest, row: ManifestRow): string {
  const lineBased = manifest.kind === "csv" || manifest.kind === "tsv" || manifest.kind === "jsonl";
  return `${lineBased ? "line" : "row"} ${row.row} (${row.id})`;
}

/**
 * Checks a manifest against what a recipe needs: roles named by the source step exist, every
 * row has the roles the source lists, and no two outputs get the same file name.
 * @throws ManifestError listing every problem with its row.
 */
export function validateManifestForRecipe(manifest: Manifest, recipe: Recipe): void {
  const issues: Issue[] = [];
  const file = manifest.source;
  const available = new Set(manifest.roles);
  const rolesText = manifest.roles.join(", ");
  let roles: string[] | undefined;
  let copies = 1;
  recipe.steps.forEach((step, index) => {
    const definition = findStep(step.step);
    if (definition?.copies) copies *= definition.copies(step.params);
    if (definition?.kind !== "source") return;
    const defaults = definition.params.safeParse({}).data as Record<string, unknown> | undefined;
    if (Array.isArray(step.params.roles)) roles = step.params.roles as string[];
    for (const key of ["roles", "labels"]) {
      const listed = step.params[key];
      if (!Array.isArray(listed)) continue;
      if (JSON.stringify(listed) === JSON.stringify(defaults?.[key])) continue;
      for (const role of listed as string[]) {
        if (!available.has(role)) {
          issues.push({
            file,
            path: "",
            message:
              `Cannot use role "${role}" of steps[${index}].${key}: no manifest row has it (roles: ${rolesText})`,
          });
        }
      }
    }
  });
  for (const row of manifest.rows) {
    for (const role of roles ?? []) {
      if (available.has(role) && !(role in row.paths)) {
        issues.push({
          file,
          ...at(manifest, row),
          message: `Missing file for role "${role}" of subject "${row.id}"`,
        });
      }
    }
  }
  const sink = recipe.steps.find((s) => findStep(s.step)?.kind === "sink");
  if (sink && typeof sink.params.name === "string") {
    const seen = new Map<string, string>();
    for (const row of manifest.rows) {
      for (const role of roles ?? Object.keys(row.paths)) {
        const path = row.paths[role];
        if (path === undefined) continue;
        for (let copy = 0; copy < copies; copy++) {
          const name = renderName(sink.params.name, {
            id: row.id,
            role,
            stem: deriveStem(path),
            copy,
          });
          const first = seen.get(name);
          const here = `${where(manifest, row)} ${role}`;
          if (first) {
            issues.push({
              file,
              ...at(manifest, row),
              message: `Cannot write "${name}" for ${here}: ${first} writes it too`,
            });
          } else seen.set(name, here);
        }
      }
    }
  }
  if (issues.length) throw new ManifestError(issues);
}
