/**
 * A light structural check of a provenance file read back from disk (merge-provenance,
 * `--resume`): enough that code reading it never meets `undefined` where it expects an object,
 * and that a corrupt file is reported as one line naming what is wrong.
 */

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** What is wrong with `value` as a provenance file, or undefined when its shape is sound. */
export function findProvenanceProblem(value: unknown): string | undefined {
  if (!isObject(value)) return "it is not a JSON object";
  if (!Array.isArray(value.subjects)) return '"subjects" is missing or not a list';
  for (const key of ["recipe", "manifest"]) {
    if (!isObject(value[key])) return `"${key}" is missing or not an object`;
  }
  if (value.shard !== undefined && value.shard !== null && !isObject(value.shard)) {
    return '"shard" is not an object';
  }
  for (const [i, s] of value.subjects.entries()) {
    const at = `subjects[${i}]`;
    if (!isObject(s)) return `${at} is not an object`;
    if (typeof s.id !== "string") return `${at}.id is missing or not a string`;
    if (typeof s.status !== "string") return `${at}.status is missing or not a string`;
    for (const key of ["inputs", "steps", "outputs"]) {
      if (!Array.isArray(s[key])) return `${at}.${key} is missing or not a list`;
    }
    for (const [j, o] of (s.outputs as unknown[]).entries()) {
      if (!isObject(o) || typeof o.path !== "string") {
        return `${at}.outputs[${j}].path is missing or not a string`;
      }
    }
  }
  return undefined;
}
