/**
 * A plan meets a manifest (SPEC §7): the roles the source reads and the label roles resolved
 * against the manifest's columns, metadata columns kept apart, every output name planned.
 * `validate --manifest`, `run --dry-run` and `run` all call this before any volume is read.
 */
import { type Issue, ManifestError } from "../errors.ts";
import type { Manifest } from "../manifest/types.ts";
import { type PlannedOutput, planOutputs } from "./output_names.ts";
import type { Plan } from "./plan.ts";
import { recipeWhereIssues } from "./select_where.ts";

/** The plan resolved against one manifest. */
export interface ManifestPlan {
  /** Manifest columns holding NIfTI paths (roles), in column order. */
  roles: string[];
  /** Roles loaded as label maps (present in the manifest). */
  labels: string[];
  /** Columns naming no NIfTI file: never opened, recorded in provenance. */
  metadata: string[];
  /** Every output of every subject (whole manifest, whatever shard runs). */
  outputs: PlannedOutput[];
  /** Things that are allowed but probably wrong (printed, never fatal). */
  warnings: string[];
}

/** Column names that usually hold label maps. */
const LABEL_LIKE =
  /^(seg|segs|segmentation|mask|masks|gt|truth|ground_?truth|label.*|labels?|.*_(seg|mask|label|labels|gt))$/i;

function columnsText(manifest: Manifest): string {
  const meta = manifest.metadata?.length ? `; metadata: ${manifest.metadata.join(", ")}` : "";
  return `roles: ${manifest.roles.join(", ")}${meta}`;
}

/**
 * Resolves the plan's roles against `manifest` and plans every output.
 * @throws ManifestError listing every problem (unknown roles, missing files, bad or colliding
 * output names) with its row.
 */
export function bindManifest(plan: Plan, manifest: Manifest): ManifestPlan {
  const issues: Issue[] = [];
  const file = manifest.source;
  const metadata = manifest.metadata ?? [];
  const available = new Set(manifest.roles);
  const at = `steps[${plan.source.index}]`;
  const unknown = (key: string, role: string) => {
    const why = metadata.includes(role)
      ? "it is a metadata column (none of its cells names a .nii, .nii.gz, .hdr or .img file)"
      : "the manifest has no such column";
    issues.push({
      file,
      path: "",
      message: `Cannot use role "${role}" of ${at}.${key}: ${why} (${columnsText(manifest)})`,
    });
  };
  for (const role of plan.roles ?? []) if (!available.has(role)) unknown("roles", role);
  // Roles steps name (`onto`, `mask: <role>`) must be manifest columns (SPEC §4, §7).
  for (const step of plan.roles ? [] : plan.steps) {
    for (const use of step.definition.rolesUsed?.(step.params as never) ?? []) {
      if (available.has(use.role)) continue;
      const key = use.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${p}`)).join("");
      const why = metadata.includes(use.role) ? "it is a metadata column" : "no such column";
      issues.push({
        file,
        path: "",
        message: `Cannot use role "${use.role}" of steps[${step.index}]${key}: the manifest has ${
          why === "no such column" ? "no such column" : "it only as a metadata column"
        } (${columnsText(manifest)})`,
      });
    }
  }
  const warnings: string[] = [];
  if (plan.labelsWritten) {
    for (const role of plan.labels) if (!available.has(role)) unknown("labels", role);
  } else if (
    !plan.labels.some((r) => available.has(r)) && manifest.kind !== "glob" &&
    (manifest.roles.length > 1 || manifest.roles.some((r) => LABEL_LIKE.test(r)))
  ) {
    // Default labels, none present: say so unless the manifest has nothing but one image role.
    const guess = manifest.roles.filter((r) => LABEL_LIKE.test(r));
    warnings.push(
      `${file}: no column named ${
        plan.labels.map((l) => `"${l}"`).join(", ")
      }, so no role is read as a label map (${columnsText(manifest)})${
        guess.length
          ? `; if ${guess.join(", ")} hold${
            guess.length === 1 ? "s" : ""
          } label maps, write \`labels: [${guess.join(", ")}]\` in ${at}`
          : `; write \`labels: [...]\` in ${at} to name label roles`
      }`,
    );
  }
  for (const row of manifest.rows) {
    for (const role of plan.roles ?? []) {
      if (available.has(role) && !(role in row.paths)) {
        const lineBased = manifest.kind === "csv" || manifest.kind === "tsv" ||
          manifest.kind === "jsonl";
        issues.push({
          file,
          ...(lineBased ? { line: row.row, path: "" } : { path: `row ${row.row}` }),
          message: `Missing file for role "${role}" of subject "${row.id}"`,
        });
      }
    }
  }
  issues.push(...recipeWhereIssues(plan, manifest));
  const planned = planOutputs(plan, manifest.rows, { file });
  issues.push(...planned.issues);
  if (issues.length) throw new ManifestError(issues);
  return {
    roles: [...manifest.roles],
    labels: plan.labels.filter((r) => available.has(r)),
    metadata: [...metadata],
    outputs: planned.outputs,
    warnings,
  };
}
