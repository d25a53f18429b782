import type { NameValues, OutputContext } from "../step.ts";

export type { NameValues } from "../step.ts";

/** Placeholders a `save` name template may use. */
export const NAME_PLACEHOLDERS = ["id", "role", "stem", "copy"] as const;

/** The placeholders a template uses, or the reason it cannot be parsed. */
export function parseNameTemplate(template: string): { placeholders: string[]; error?: string } {
  const placeholders: string[] = [];
  const re = /\{([^{}]*)\}|[{}]/g;
  for (const m of template.matchAll(re)) {
    if (m[1] === undefined) return { placeholders, error: `unbalanced "${m[0]}"` };
    placeholders.push(m[1]);
  }
  return { placeholders };
}

/** What a name template needs to know about the recipe to judge collisions. */
export type NameContext = OutputContext;

/** Every reason why `template` could escape the output directory or make two outputs collide. */
export function validateNameTemplate(template: string, context: NameContext): string[] {
  const problems: string[] = [];
  const { placeholders, error } = parseNameTemplate(template);
  if (error) problems.push(`${error}; placeholders are written {id}, {role}, {stem}, {copy}`);
  for (const p of placeholders) {
    if (!(NAME_PLACEHOLDERS as readonly string[]).includes(p)) {
      problems.push(`unknown placeholder {${p}}; use {id}, {role}, {stem} or {copy}`);
    }
  }
  if (/^[/\\]/.test(template) || /^[A-Za-z]:/.test(template)) {
    problems.push("absolute paths escape the output directory; give a relative name");
  }
  if (template.includes("\\")) problems.push("use / to separate directories, not \\");
  if (template.split(/[/\\]/).some((seg) => seg === "..")) {
    problems.push("`..` escapes the output directory");
  }
  if (template.endsWith("/")) problems.push("the name must end with a file name");
  const has = (p: string) => placeholders.includes(p);
  if (!has("id") && !has("stem")) {
    problems.push("every subject would write the same file; add {id}");
  }
  if (!has("role") && !has("stem") && !context.singleRole) {
    problems.push("every role of a subject would write the same file; add {role}");
  }
  if (context.copies > 1 && !has("copy")) {
    problems.push(`the ${context.copies} augmented copies would write the same file; add {copy}`);
  }
  return problems;
}

/** Substitutes the placeholders of a (validated) name template. */
export function renderName(template: string, values: NameValues): string {
  return template.replace(
    /\{(id|role|stem|copy)\}/g,
    (_, p: keyof NameValues) => String(values[p]),
  );
}
