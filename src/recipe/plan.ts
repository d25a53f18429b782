/**
 * The bound plan: a validated recipe joined to the step registry once. Every consumer (run,
 * dry run, replay, resume, pre-flight, validate) reads steps, roles, copies and output names
 * from it and never looks a step up by name again. Workers receive the plain recipe and bind
 * it with the same `bindRecipe` (step definitions hold functions and cannot cross a worker
 * boundary).
 */
import { RecipeError } from "../errors.ts";
import { STEPS } from "../steps/registry.ts";
import type { PlannedRole, SinkStep, SourceStep, StepDefinition } from "../steps/step.ts";
import type { FloatPlan, SaveTarget } from "../volume/encode.ts";
import type { PlainRecipe } from "./recipe.ts";

/** What the values are after a step, when the recipe alone tells. */
export type ValueKind = "input" | "float" | "unknown";

/** One step of a plan: its definition, its parsed params and its place in the recipe. */
export interface BoundStep<D extends StepDefinition = StepDefinition> {
  /** Position in `steps` (0-based). */
  readonly index: number;
  /** The step's definition from the registry. */
  readonly definition: D;
  /** Params after the step's schema (defaults filled in). */
  readonly params: Record<string, unknown>;
  /** Outputs this step makes per input (augmentation copies; 1 for other steps). */
  readonly copies: number;
  /** Product of the copies made by the steps after this one. */
  readonly copiesAfter: number;
  /** The kind of values this step hands on (`input` = still the input's kind). */
  readonly produces: ValueKind;
  /** Param keys written in the recipe file (undefined when the recipe came as plain data). */
  readonly written?: ReadonlySet<string>;
  /** The sink's encoding when the sink is the next step (given to the step's context). */
  readonly save?: SaveTarget;
  /** Where this step's float results go (`floatPlanOf`, given to the step's context). */
  readonly floats: FloatPlan;
  /**
   * The next step, not the sink, reads deferred values (`readsDeferred`): this step may defer
   * its float results (given to the step's context, issue 15).
   */
  readonly defer: boolean;
}

/** A recipe bound to the registry (SPEC §6): the one object everything after validation uses. */
export interface Plan {
  /** The recipe as it runs: defaults filled in, no positions (recorded in provenance). */
  readonly recipe: PlainRecipe;
  /** Every step, bound to its definition, in recipe order. */
  readonly steps: readonly BoundStep[];
  /** The first step (a source). */
  readonly source: BoundStep<SourceStep>;
  /** The last step (a sink). */
  readonly sink: BoundStep<SinkStep>;
  /** Outputs per subject and role (product of every step's copies). */
  readonly copies: number;
  /** Roles the source reads (undefined = every role with a file) and label roles. */
  readonly roles?: readonly string[];
  /** Roles holding label maps. */
  readonly labels: readonly string[];
  /** True when `labels` was written in the recipe; false when it is the default. */
  readonly labelsWritten: boolean;
  /** The source's metadata conditions (`load: { where }`): only matching subjects run. */
  readonly where?: readonly string[];
}

/** How to bind: another registry (tests), and which param keys each step entry wrote. */
export interface BindOptions {
  registry?: readonly StepDefinition[];
  written?: readonly (ReadonlySet<string> | undefined)[];
  /**
   * False: no step is told the sink's encoding, so values stay float up to `save` (tests
   * prove the direct path bit-identical to this one). Default true.
   */
  directSave?: boolean;
  /**
   * False: no step defers its values (`defer`), so every step holds its results (tests prove
   * the deferred path bit-identical to this one). Default true.
   */
  defer?: boolean;
}

/**
 * Joins a (validated) recipe to the registry: each step's definition, copies, value kind, the
 * source's roles and labels.
 * @throws RecipeError when a step is unknown or the recipe does not start with a source and end
 * with a sink (validation reports these with positions first; this guards plain recipes).
 */
export function bindRecipe(recipe: PlainRecipe, options: BindOptions = {}): Plan {
  const registry = options.registry ?? STEPS;
  const definitions = recipe.steps.map((s, index) => {
    const definition = registry.find((d) => d.name === s.step);
    if (!definition) {
      throw new RecipeError([{
        path: `steps[${index}]`,
        message: `Cannot run step "${s.step}": it is not in the registry`,
      }]);
    }
    return definition;
  });
  const first = definitions[0], last = definitions[definitions.length - 1];
  if (first?.kind !== "source" || last?.kind !== "sink" || definitions.length < 2) {
    throw new RecipeError([{
      path: "steps",
      message: "Cannot run a recipe that does not start with a source and end with a sink",
    }]);
  }
  const steps0 = recipe.steps.length;
  const copies = recipe.steps.map((s, i) => definitions[i].copies?.(s.params) ?? 1);
  let kind: ValueKind = "input";
  const sinkEncoding = options.directSave === false
    ? undefined
    : last.encoding?.(recipe.steps[recipe.steps.length - 1].params);
  const steps = recipe.steps.map((s, index): BoundStep => {
    const definition = definitions[index];
    const declared = definition.produces?.(s.params);
    if (declared) kind = declared;
    else if (definition.kind === "intensity" || definition.kind === "augment") kind = "unknown";
    return {
      index,
      definition,
      params: s.params,
      copies: copies[index],
      copiesAfter: copies.slice(index + 1).reduce((a, b) => a * b, 1),
      produces: kind,
      written: options.written?.[index],
      ...(sinkEncoding && index === steps0 - 2 ? { save: sinkEncoding } : {}),
      floats: floatPlanOf(definitions, recipe.steps, index),
      defer: options.defer !== false && index + 1 < steps0 - 1 &&
        definitions[index + 1].readsDeferred?.(recipe.steps[index + 1].params as never) === true,
    };
  });
  const source = steps[0] as BoundStep<SourceStep>;
  const selection = source.definition.roles(source.params);
  return {
    recipe: {
      version: recipe.version,
      name: recipe.name,
      seed: recipe.seed,
      ...(recipe.manifest === undefined ? {} : { manifest: recipe.manifest }),
      steps: recipe.steps.map((s) => ({ step: s.step, params: s.params })),
    },
    steps,
    source,
    sink: steps[steps.length - 1] as BoundStep<SinkStep>,
    copies: copies.reduce((a, b) => a * b, 1),
    roles: selection.roles,
    labels: selection.labels,
    labelsWritten: source.written?.has("labels") ?? true,
    ...(selection.where ? { where: selection.where } : {}),
  };
}

/**
 * Where step `index`'s float results go (SPEC §2): float32 is invisible only when every later
 * step merely moves values (`movesValues`) and the sink stores no float64; otherwise `exact`.
 */
function floatPlanOf(
  definitions: readonly StepDefinition[],
  steps: PlainRecipe["steps"],
  index: number,
): FloatPlan {
  const last = steps.length - 1;
  for (let j = index + 1; j < last; j++) {
    if (!definitions[j].movesValues?.(steps[j].params as never)) return { exact: true };
  }
  const sink = definitions[last];
  const target = sink.kind === "sink" ? sink.encoding?.(steps[last].params as never) : undefined;
  return target && target.dtype !== "float64" ? { exact: false, target } : { exact: true };
}

/** The plan with another run seed (`run --seed`). */
export function withSeed(plan: Plan, seed: number | undefined): Plan {
  return seed === undefined ? plan : { ...plan, recipe: { ...plan.recipe, seed } };
}

/** The roles one subject loads: the source's `roles`, else every role with a file. */
export function rolesOf(plan: Plan, paths: Readonly<Record<string, string>>): string[] {
  return plan.roles ? [...plan.roles] : Object.keys(paths).filter((r) => paths[r]);
}

/** Files the plan's steps read besides the manifest's (e.g. a `reference`), absolute. */
export function stepFilesOf(plan: Plan): string[] {
  return [...new Set(plan.steps.flatMap((s) => s.definition.files?.(s.params as never) ?? []))];
}

/**
 * The roles one subject has when the sink writes it: the loaded roles (with a file), as the
 * steps that merge, rename or drop roles (`mapRoles`, e.g. stack, resample-to-reference with
 * dropOnto) leave them.
 */
export function outputRolesOf(plan: Plan, paths: Readonly<Record<string, string>>): PlannedRole[] {
  let roles: PlannedRole[] = rolesOf(plan, paths).filter((r) => paths[r]).map((role) => ({
    role,
    label: plan.labels.includes(role),
    from: role,
  }));
  for (const step of plan.steps) {
    if (step.definition.mapRoles) roles = step.definition.mapRoles(roles, step.params);
  }
  return roles;
}
