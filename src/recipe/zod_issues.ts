import type { z } from "zod";
import { didYouMean } from "./did_you_mean.ts";
import type { DocPath } from "./yaml_positions.ts";
import {
  findSchemas,
  objectKeys,
  objectShapes,
  tupleLength,
  unionOptions,
} from "./zod_schema_walk.ts";

/** A zod issue translated for people: where it points and what it says. */
export interface ParamProblem {
  /** Path relative to the validated value (a step entry's params). */
  path: (string | number)[];
  /** Point at the map key (unknown keys), the value, or the parent map (missing keys). */
  at: "key" | "value" | "parent";
  message: string;
}

/** What the translation needs besides the issues. */
export interface IssueContext {
  /** Name of the validated thing, e.g. the step name `clip`. */
  owner: string;
  /** The value given to the schema. */
  input: unknown;
  /** Extra advice for a rejected enum value at `path` (e.g. which other step accepts it). */
  hint?: (path: DocPath, value: unknown) => string;
}

type ZodIssue = z.core.$ZodIssue;

function valueAt(input: unknown, path: DocPath): unknown {
  let v = input;
  for (const p of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string | number, unknown>)[p];
  }
  return v;
}

/** A short rendering of a YAML value for messages: `"abc"`, `[1, -1]`, `a map`. */
export function showValue(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(showValue).join(", ")}]`;
  if (v !== null && typeof v === "object") return "a map";
  return String(v);
}

const EXPECTED: Record<string, string> = {
  number: "a number",
  int: "an integer",
  string: "a string",
  boolean: "true or false",
  array: "a list",
  tuple: "a list",
  object: "a map",
  null: "null",
};

function keyKind(path: DocPath): string {
  return path.length === 0 ? "param" : "key";
}

function ownerOf(path: DocPath, owner: string): string {
  const last = [...path].reverse().find((p) => typeof p === "string");
  return (last as string | undefined) ?? owner;
}

function bound(issue: { inclusive?: boolean }, op: "<" | ">", limit: unknown): string {
  return `${op}${issue.inclusive ? "=" : ""} ${limit}`;
}

function structuralCount(issues: ZodIssue[]): number {
  return issues.filter((i) =>
    (i.code === "unrecognized_keys" && i.path.length === 0) ||
    (i.code === "invalid_type" && i.path.length <= 1)
  ).length;
}

/** Translates zod issues into people's messages with paths relative to the input. */
export function describeZodIssues(
  issues: readonly ZodIssue[],
  schema: z.ZodType,
  context: IssueContext,
  prefix: (string | number)[] = [],
): ParamProblem[] {
  const out: ParamProblem[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...(issue.path as (string | number)[])];
    const value = valueAt(context.input, path);
    const last = path[path.length - 1];
    const parent = path.slice(0, -1);
    switch (issue.code) {
      case "invalid_union": {
        const options = (issue as { options?: unknown[] }).options;
        if ((issue as { discriminator?: string }).discriminator !== undefined && options) {
          const names = options.map(String);
          out.push(
            value === undefined
              ? {
                path,
                at: "parent",
                message: `Missing required ${keyKind(parent)} \`${last}\`: one of ${
                  names.join(", ")
                }`,
              }
              : {
                path,
                at: "value",
                message: `Cannot use ${showValue(value)}: expected one of ${names.join(", ")}${
                  didYouMean(String(value), names)
                }`,
              },
          );
          break;
        }
        const branches = issue.errors as ZodIssue[][];
        if (branches.length === 0) {
          out.push({ path, at: "value", message: issue.message });
          break;
        }
        const score = (b: ZodIssue[]) => structuralCount(b) * 1000 + b.length;
        const best = branches.reduce((a, b) => (score(b) < score(a) ? b : a));
        const known = new Set(findSchemas(schema, path).flatMap(objectKeys));
        const unknown = value !== null && typeof value === "object" && !Array.isArray(value)
          ? Object.keys(value).filter((k) => !known.has(k))
          : [];
        if (structuralCount(best) > 0 && unknown.length > 0 && known.size > 0) {
          for (const k of unknown) {
            out.push({
              path: [...path, k],
              at: "key",
              message: `Cannot use ${keyKind(path)} "${k}": expected one of ${
                [...known].join(", ")
              }${didYouMean(k, known)}`,
            });
          }
        } else out.push(...describeZodIssues(best, schema, context, path));
        break;
      }
      case "unrecognized_keys": {
        // Keys of the options that fit the keys given (e.g. normalize's method: window).
        const shapes = findSchemas(schema, path).flatMap(objectShapes);
        const given = value !== null && typeof value === "object"
          ? Object.keys(value).filter((k) => !issue.keys.includes(k))
          : [];
        const fitting = shapes.filter((s) => given.every((k) => s.includes(k)));
        const known = [...new Set((fitting.length ? fitting : shapes).flat())];
        const kind = keyKind(path);
        for (const k of issue.keys) {
          const hint = didYouMean(k, known);
          out.push({
            path: [...path, k],
            at: "key",
            message: `Cannot use ${kind} "${k}": ${
              ownerOf(path, context.owner)
            } has no such ${kind}${
              hint || (known.length ? `; expected one of ${known.join(", ")}` : "")
            }`,
          });
        }
        break;
      }
      case "invalid_type": {
        const n = findSchemas(schema, path).map(tupleLength).find((l) => l !== undefined);
        const expected = n !== undefined ? `a list of ${n} values` : EXPECTED[issue.expected] ??
          issue.expected;
        if (value === undefined && typeof last === "string") {
          out.push({
            path,
            at: "parent",
            message: `Missing required ${keyKind(parent)} \`${last}\` (${expected})`,
          });
        } else {
          const what = expected;
          out.push({
            path,
            at: "value",
            message: `Cannot use ${showValue(value)}: expected ${what}`,
          });
        }
        break;
      }
      case "too_small":
      case "too_big": {
        const limit = issue.code === "too_small" ? issue.minimum : issue.maximum;
        let message: string;
        if (issue.origin === "array") {
          // A list too short or too long: the tuple's length, also as one option of a union
          // (resample-to-spacing's spacing: [x, y, z] or median).
          const n = findSchemas(schema, path).flatMap((t) => [t, ...unionOptions(t)]).map(
            tupleLength,
          ).find((l) => l !== undefined);
          const count = Array.isArray(value) ? value.length : "?";
          message = n !== undefined
            ? `Cannot use ${showValue(value)}: expected ${n} values${
              n === 3 ? " [x, y, z]" : ""
            }, got ${count}`
            : `Cannot use ${showValue(value)}: expected ${
              issue.code === "too_small" ? "at least" : "at most"
            } ${limit} items`;
        } else if (issue.origin === "string" && issue.code === "too_small" && limit === 1) {
          message = `Cannot use "": must not be empty`;
        } else if (issue.origin === "string") {
          message = `Cannot use ${showValue(value)}: length must be ${
            bound(issue, issue.code === "too_small" ? ">" : "<", limit)
          }`;
        } else {
          message = `Cannot use ${showValue(value)}: must be ${
            bound(issue, issue.code === "too_small" ? ">" : "<", limit)
          }`;
        }
        out.push({ path, at: "value", message });
        break;
      }
      case "invalid_value": {
        const names = issue.values.map(String);
        const hint = context.hint?.(path, value) ?? "";
        out.push({
          path,
          at: "value",
          message: `Cannot use ${showValue(value)}: expected ${
            names.length === 1 ? showValue(issue.values[0]) : `one of ${names.join(", ")}`
          }${didYouMean(String(value), names)}${hint}`,
        });
        break;
      }
      default:
        out.push({ path, at: "value", message: issue.message });
    }
  }
  return out;
}
