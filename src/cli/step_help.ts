import { z } from "zod";
import type { StepDefinition } from "../steps/step.ts";

/** What `steps NAME` prints about one param, all derived from the step's zod schema. */
export interface ParamHelp {
  name: string;
  type: string;
  required: boolean;
  default?: unknown;
  range?: string;
  description: string;
}

/** JSON Schema fragment, as produced by z.toJSONSchema. */
// deno-lint-ignore no-explicit-any
export type JsonSchema = Record<string, any>;

/** The JSON Schema of a step's params (input side: defaults optional). */
export function deriveParamsJsonSchema(step: Pick<StepDefinition, "params">): JsonSchema {
  const { $schema: _, ...schema } = z.toJSONSchema(step.params, {
    io: "input",
    unrepresentable: "any",
  }) as JsonSchema;
  return schema;
}

function range(s: JsonSchema): string | undefined {
  const lo = s.exclusiveMinimum !== undefined
    ? `> ${s.exclusiveMinimum}`
    : s.minimum !== undefined && s.minimum > -9007199254740991
    ? `>= ${s.minimum}`
    : undefined;
  const hi = s.exclusiveMaximum !== undefined
    ? `< ${s.exclusiveMaximum}`
    : s.maximum !== undefined && s.maximum < 9007199254740991
    ? `<= ${s.maximum}`
    : undefined;
  if (
    s.minimum !== undefined && s.maximum !== undefined && lo?.startsWith(">=") &&
    hi?.startsWith("<=")
  ) {
    return `${s.minimum}..${s.maximum}`;
  }
  return [lo, hi].filter(Boolean).join(", ") || undefined;
}

/** A short type text: `nearest | linear | bspline`, `[integer|null ×3]`, `number`. */
export function describeType(s: JsonSchema): { type: string; range?: string } {
  if (s.enum) return { type: s.enum.map((v: unknown) => String(v)).join(" | ") };
  if (s.const !== undefined) return { type: JSON.stringify(s.const) };
  const union = s.anyOf ?? s.oneOf;
  if (union) {
    const parts = union.map(describeType);
    return {
      type: parts.map((p: { type: string }) => p.type).join(" | "),
      range: parts.find((p: { range?: string }) => p.range)?.range,
    };
  }
  if (s.type === "array" && Array.isArray(s.prefixItems)) {
    const items = s.prefixItems.map(describeType);
    const same = items.every((i: { type: string }) => i.type === items[0].type);
    const type = same
      ? `[${items[0].type} ×${items.length}]`
      : `[${items.map((i: { type: string }) => i.type).join(", ")}]`;
    return { type, range: items.find((i: { range?: string }) => i.range)?.range };
  }
  if (s.type === "array") {
    const item = describeType(s.items ?? {});
    return { type: `list of ${item.type}`, range: item.range };
  }
  if (s.type === "object") return { type: "map" };
  if (typeof s.type === "string") return { type: s.type, range: range(s) };
  return { type: "any" };
}

function objectParams(s: JsonSchema): ParamHelp[] {
  const required = new Set<string>(s.required ?? []);
  return Object.entries((s.properties ?? {}) as Record<string, JsonSchema>).map(([name, p]) => {
    const { type, range } = describeType(p);
    return {
      name,
      type,
      required: required.has(name) && p.default === undefined,
      default: p.default,
      range,
      description: p.description ?? "",
    };
  });
}

/**
 * Params of a step, grouped by variant: one group for an object schema, one per option for a
 * union (e.g. normalize's methods), titled by the discriminating value.
 */
export function deriveParamHelp(
  step: Pick<StepDefinition, "params">,
): { title?: string; params: ParamHelp[] }[] {
  const schema = deriveParamsJsonSchema(step);
  const options: JsonSchema[] | undefined = schema.oneOf ?? schema.anyOf;
  if (!options) return [{ params: objectParams(schema) }];
  return options.map((o) => {
    const params = objectParams(o);
    const tag = params.find((p) => o.properties?.[p.name]?.const !== undefined);
    return { title: tag ? `${tag.name}: ${tag.type.replace(/"/g, "")}` : undefined, params };
  });
}
