import { findStep, STEPS } from "../steps/registry.ts";
import type { StepDefinition } from "../steps/step.ts";
import { didYouMean } from "./did_you_mean.ts";
import type { IssueSink } from "./issue_sink.ts";
import type { RecipeStep } from "./recipe.ts";
import type { DocPath } from "./yaml_positions.ts";
import { describeZodIssues, showValue } from "./zod_issues.ts";
import { findSchemas } from "./zod_schema_walk.ts";
import { checkStepRoles } from "./step_roles.ts";

const STEP_NAMES = STEPS.map((s) => s.name);

function namesOfKind(kind: string): string {
  return STEPS.filter((s) => s.kind === kind).map((s) => s.name).join(" or ");
}

/** Advice for an enum value another step accepts at the same param (e.g. `grid: corners`). */
function otherStepsHint(owner: StepDefinition): (path: DocPath, value: unknown) => string {
  return (path, value) => {
    const others = STEPS.filter((s) =>
      s !== owner && findSchemas(s.params, path).some((schema) => schema.safeParse(value).success)
    ).map((s) => s.name);
    return others.length
      ? `; ${showValue(value)} is only valid for ${others.join(", ")}, not ${owner.name}`
      : "";
  };
}

interface Checked {
  index: number;
  definition: StepDefinition;
  params?: Record<string, unknown>;
  /** The entry's params as written (for checks that still apply when others failed). */
  raw?: Record<string, unknown>;
}

function checkEntry(sink: IssueSink, entry: unknown, i: number): Checked | undefined {
  const at = ["steps", i];
  if (entry === null || typeof entry !== "object" || Array.isArray(entry)) {
    const hint = typeof entry === "string" && findStep(entry) ? `; write \`- step: ${entry}\`` : "";
    sink.atPath(
      at,
      `Cannot use ${showValue(entry)} as a step: expected a map like \`- step: load\`${hint}`,
    );
    return undefined;
  }
  const { step, ...params } = entry as Record<string, unknown>;
  if (step === undefined) {
    const named = Object.keys(params).find((k) => findStep(k));
    const hint = named ? `; write \`- step: ${named}\` with its params as sibling keys` : "";
    sink.atPath([...at, "step"], `Missing required key \`step\` (the step name)${hint}`, "parent");
    return undefined;
  }
  const definition = typeof step === "string" ? findStep(step) : undefined;
  if (!definition) {
    const hint = typeof step === "string" ? didYouMean(step, STEP_NAMES) : "";
    sink.atPath(
      [...at, "step"],
      `Cannot use step ${showValue(step)}: no such step${hint || "; `medprep steps` lists them"}`,
    );
    return undefined;
  }
  const result = definition.params.safeParse(params, { reportInput: true });
  if (result.success) {
    return { index: i, definition, params: result.data as Record<string, unknown> };
  }
  const problems = describeZodIssues(result.error.issues, definition.params, {
    owner: definition.name,
    input: params,
    hint: otherStepsHint(definition),
  });
  for (const p of problems) sink.atPath([...at, ...p.path], p.message, p.at);
  return { index: i, definition, raw: params };
}

function checkOrder(sink: IssueSink, checked: Checked[], count: number): void {
  for (const { index, definition } of checked) {
    const path = ["steps", index, "step"];
    if (index === 0 && definition.kind !== "source") {
      sink.atPath(
        path,
        `Cannot start with ${definition.name}: the first step must be a source (${
          namesOfKind("source")
        })`,
      );
    } else if (index > 0 && definition.kind === "source") {
      sink.atPath(
        path,
        `Cannot use ${definition.name} at steps[${index}]: the source must be the first step, and only one`,
      );
    }
    if (index === count - 1 && definition.kind !== "sink") {
      sink.atPath(
        path,
        `Cannot end with ${definition.name}: the last step must be a sink (${namesOfKind("sink")})`,
      );
    } else if (index < count - 1 && definition.kind === "sink") {
      sink.atPath(
        path,
        `Cannot use ${definition.name} at steps[${index}]: the sink must be the last step, and only one`,
      );
    }
  }
}

function checkOutputNames(sink: IssueSink, checked: Checked[]): void {
  let copies = 1;
  let singleRole = false;
  for (const { index, definition, params: parsed, raw } of checked) {
    if (definition.kind === "source") {
      const roles = parsed ? definition.roles(parsed).roles : raw?.roles;
      if (Array.isArray(roles)) singleRole = roles.length === 1;
    }
    if (parsed && definition.copies) copies *= definition.copies(parsed);
    // A sink whose other params are invalid still gets its names checked (every problem at once).
    if (definition.kind !== "sink" || !definition.checkOutputs) continue;
    for (const p of definition.checkOutputs(parsed ?? raw ?? {}, { copies, singleRole })) {
      sink.atPath(["steps", index, p.key], p.message, "parent");
    }
  }
}

/** Problems of steps' params against the recipe's label roles (`checkRoles`, e.g. relabel). */
function checkRoles(sink: IssueSink, checked: Checked[]): void {
  let labels: string[] | undefined;
  for (const { index, definition, params } of checked) {
    if (!params) continue;
    if (definition.kind === "source") labels = [...definition.roles(params).labels];
    if (labels === undefined) continue;
    for (const p of definition.checkRoles?.(labels, params) ?? []) {
      sink.atPath(["steps", index, p.key], p.message, "parent");
    }
    if (definition.mapRoles) {
      const mapped = definition.mapRoles(
        labels.map((role) => ({ role, label: true, from: role })),
        params,
      );
      labels = mapped.filter((r) => r.label).map((r) => r.role);
    }
  }
}

/**
 * Dataset statistics (issue 13) pool every subject's values once, in a statistics pass before
 * the run: a step needing them cannot follow augmentation copies (which copy would count?).
 */
function checkDatasetSteps(sink: IssueSink, checked: Checked[]): void {
  let copiesAt: number | undefined;
  for (const { index, definition, params } of checked) {
    if (!params) continue;
    const need = definition.dataset?.(params);
    if (need && copiesAt !== undefined) {
      sink.atPath(
        ["steps", index, need.kind === "spacing" ? "spacing" : "over"],
        `Cannot take dataset statistics after steps[${copiesAt}] makes augmentation copies: a dataset statistic pools every subject once, in a statistics pass over all subjects before the run; move this step before the augmentation`,
      );
    }
    if ((definition.copies?.(params) ?? 1) > 1) copiesAt ??= index;
  }
}

/**
 * Validates the `steps` list: names, params, order and output names; returns the parsed steps
 * with the param keys each entry wrote (to tell a written value from a default).
 */
export function validateSteps(
  sink: IssueSink,
  entries: unknown[],
): { steps: RecipeStep[]; written: Set<string>[] } {
  const checked = entries.map((e, i) => checkEntry(sink, e, i)).filter((c): c is Checked => !!c);
  checkOrder(sink, checked, entries.length);
  checkOutputNames(sink, checked);
  checkDatasetSteps(sink, checked);
  checkStepRoles(sink, checked);
  checkRoles(sink, checked);
  const valid = checked.filter((c) => c.params);
  const steps = valid.map((c) => {
    const { line, col } = sink.lineCounter.linePos(
      (sink.doc.getIn(["steps", c.index], true) as { range?: number[] } | undefined)?.range?.[0] ??
        0,
    );
    return { step: c.definition.name, params: c.params!, line, col };
  });
  const written = valid.map((c) =>
    new Set(Object.keys(entries[c.index] as Record<string, unknown>).filter((k) => k !== "step"))
  );
  return { steps, written };
}
