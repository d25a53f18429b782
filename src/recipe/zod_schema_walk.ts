import type { z } from "zod";
import type { DocPath } from "./yaml_positions.ts";

// deno-lint-ignore no-explicit-any
type Def = Record<string, any> & { type: string };

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

const WRAPPERS = [
  "optional",
  "nullable",
  "default",
  "prefault",
  "readonly",
  "catch",
  "nonoptional",
];

/** The schema under wrappers (optional, default, pipe input, lazy …). */
export function unwrapSchema(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (let i = 0; i < 32; i++) {
    const def = defOf(s);
    if (WRAPPERS.includes(def.type)) s = def.innerType;
    else if (def.type === "pipe") s = def.in;
    else if (def.type === "lazy") s = def.getter();
    else break;
  }
  return s;
}

/** Every schema that may describe the value at `path` (several through unions). */
export function findSchemas(schema: z.ZodType, path: DocPath): z.ZodType[] {
  let current = [schema];
  for (const part of path) {
    const next: z.ZodType[] = [];
    const visit = (s: z.ZodType) => {
      const inner = unwrapSchema(s);
      const def = defOf(inner);
      if (def.type === "union") { for (const o of def.options) visit(o); }
      else if (def.type === "intersection") [def.left, def.right].forEach(visit);
      else if (def.type === "object" && typeof part === "string" && def.shape[part]) {
        next.push(def.shape[part]);
      } else if (def.type === "array" && typeof part === "number") next.push(def.element);
      else if (def.type === "tuple" && typeof part === "number") {
        const item = def.items[part] ?? def.rest;
        if (item) next.push(item);
      } else if (def.type === "record" && typeof part === "string") next.push(def.valueType);
    };
    current.forEach(visit);
    current = next;
  }
  return current;
}

/** The key lists of an object schema, one per object option of a union. */
export function objectShapes(schema: z.ZodType): string[][] {
  const shapes: string[][] = [];
  const visit = (s: z.ZodType) => {
    const def = defOf(unwrapSchema(s));
    if (def.type === "union") def.options.forEach(visit);
    else if (def.type === "intersection") [def.left, def.right].forEach(visit);
    else if (def.type === "object") shapes.push(Object.keys(def.shape));
  };
  visit(schema);
  return shapes;
}

/** The keys an object schema (or any object option of a union) accepts. */
export function objectKeys(schema: z.ZodType): string[] {
  return [...new Set(objectShapes(schema).flat())];
}

/** Number of items a tuple schema requires, or undefined for other schemas. */
export function tupleLength(schema: z.ZodType): number | undefined {
  const def = defOf(unwrapSchema(schema));
  return def.type === "tuple" && !def.rest ? def.items.length : undefined;
}

/** The options of a union schema (none for other schemas). */
export function unionOptions(schema: z.ZodType): z.ZodType[] {
  const def = defOf(unwrapSchema(schema));
  return def.type === "union" ? [...def.options] : [];
}
