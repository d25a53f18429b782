/**
 * Roles and files steps refer to (resample-to-reference `onto`, clip/normalize `mask: <role>`,
 * a `reference` file): checked at validation where the recipe alone tells (the source lists its
 * roles; no earlier step removed the role; the file exists), and against the manifest's columns
 * when the roles come from the manifest (`bindManifest`).
 */
import { existsSync } from "node:fs";
import type { StepDefinition } from "../steps/step.ts";
import type { IssueSink } from "./issue_sink.ts";

interface CheckedStep {
  index: number;
  definition: StepDefinition;
  params?: Record<string, unknown>;
}

/**
 * Reports every role a step names that the recipe does not load at that point: not in the
 * source's `roles` (when written) or removed by an earlier step (`mapRoles`).
 */
export function checkStepRoles(sink: IssueSink, checked: readonly CheckedStep[]): void {
  let roles: string[] | undefined;
  const removed = new Map<string, number>();
  for (const { index, definition, params } of checked) {
    if (!params) continue;
    if (definition.kind === "source") {
      roles = definition.roles(params).roles?.slice();
      continue;
    }
    for (const use of definition.rolesUsed?.(params) ?? []) {
      const gone = removed.get(use.role);
      const why = gone !== undefined
        ? `steps[${gone}] removed it`
        : roles && !roles.includes(use.role)
        ? `the recipe does not load it (load roles: ${roles.join(", ")})`
        : undefined;
      if (why) {
        sink.atPath(
          ["steps", index, ...use.path],
          `Cannot use role "${use.role}": ${why}`,
        );
      }
    }
    if (definition.mapRoles) {
      const before = roles ?? [...(definition.rolesUsed?.(params) ?? []).map((u) => u.role)];
      const after = definition.mapRoles(
        before.map((role) => ({ role, label: false, from: role })),
        params,
      ).map((r) => r.role);
      for (const r of before) if (!after.includes(r)) removed.set(r, index);
      if (roles) roles = after;
    }
  }
}

/**
 * Resolves the file paths of every step against the recipe's folder and reports the files
 * that do not exist; returns the steps with resolved params.
 */
export function resolveStepFiles<S extends { step: string; params: Record<string, unknown> }>(
  sink: IssueSink,
  steps: readonly S[],
  definitions: readonly StepDefinition[],
  dir: string,
): S[] {
  return steps.map((s, i) => {
    const def = definitions[i];
    if (!def.resolveFiles) return s;
    const params = def.resolveFiles(s.params as never, dir) as Record<string, unknown>;
    for (const file of def.files?.(params as never) ?? []) {
      if (!existsSync(file)) {
        const key = Object.keys(params).find((k) => params[k] === file) ?? "";
        sink.atPath(["steps", i, key], `Cannot read "${file}": file not found`);
      }
    }
    return { ...s, params };
  });
}
