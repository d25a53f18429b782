/**
 * Reading a previous provenance file back (`--resume`, the different-recipe check): what is
 * wrong with a damaged one is said in words, never as "Cannot read properties of undefined".
 */
import type { Provenance } from "./types.ts";

/** A provenance file as read: the record, or what is wrong with it (null = no file). */
export type ReadProvenance =
  | { provenance: Provenance; problem?: undefined }
  | { provenance: null; problem: string | null };

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/** What is wrong with one subject record (`where` names it), or null when it is usable. */
export function checkSubjectRecord(value: unknown, where: string): string | null {
  if (!isObject(value)) return `${where} is not an object`;
  if (typeof value.id !== "string") return `${where}.id is not a string`;
  if (typeof value.status !== "string") return `${where}.status is not a string`;
  for (const key of ["inputs", "outputs"] as const) {
    const list = value[key];
    if (!Array.isArray(list)) return `${where}.${key} is not a list`;
    for (const [i, f] of list.entries()) {
      if (!isObject(f) || typeof f.path !== "string" || typeof f.sha256 !== "string") {
        return `${where}.${key}[${i}] has no path and sha256`;
      }
    }
  }
  return null;
}

/** What is wrong with the run-level part (tool, recipe), or null. */
export function checkProvenanceHeader(value: Record<string, unknown>): string | null {
  if (!isObject(value.tool) || typeof value.tool.version !== "string") {
    return "tool.version is missing";
  }
  const recipe = value.recipe;
  if (!isObject(recipe) || typeof recipe.sha256 !== "string" || !isObject(recipe.resolved)) {
    return "recipe.sha256 or recipe.resolved is missing";
  }
  return null;
}

/** What is wrong with a parsed provenance value, or null when it is usable. */
export function checkProvenance(value: unknown): string | null {
  if (!isObject(value)) return "it is not a JSON object";
  const header = checkProvenanceHeader(value);
  if (header) return header;
  if (!Array.isArray(value.subjects)) return "subjects is not a list";
  for (const [i, s] of value.subjects.entries()) {
    const problem = checkSubjectRecord(s, `subjects[${i}]`);
    if (problem) return problem;
  }
  return null;
}

/** Reads `path`: the provenance, or null with the problem (null problem: no such file). */
export async function readProvenanceFile(path: string): Promise<ReadProvenance> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return { provenance: null, problem: null };
    return { provenance: null, problem: e instanceof Error ? e.message : String(e) };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { provenance: null, problem: `not valid JSON (${(e as Error).message})` };
  }
  const problem = checkProvenance(value);
  return problem ? { provenance: null, problem } : { provenance: value as Provenance };
}
