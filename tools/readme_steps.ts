/**
 * The README's step table, generated from the step registry (the zod schemas are the single
 * source). `deno task readme-steps` (this file with `--write`, then `deno fmt README.md`) updates
 * README.md; tests/readme_test.ts fails when the README is out of date.
 */
import { z } from "zod";
import { STEPS } from "../src/steps/registry.ts";

const START = "<!-- steps-table:start -->";
const END = "<!-- steps-table:end -->";

function paramNames(schema: z.ZodType): string {
  const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as {
    properties?: Record<string, unknown>;
    oneOf?: { properties?: Record<string, unknown> }[];
    anyOf?: { properties?: Record<string, unknown> }[];
  };
  const names = new Set<string>();
  for (const part of [json, ...(json.oneOf ?? []), ...(json.anyOf ?? [])]) {
    for (const k of Object.keys(part.properties ?? {})) names.add(k);
  }
  return [...names].map((n) => `\`${n}\``).join(", ");
}

/** The markdown table of every registered step. */
export function renderStepsTable(): string {
  const rows = STEPS.map((s) =>
    `| \`${s.name}\` | ${s.kind} | ${s.summary} | ${paramNames(s.params)} |`
  );
  return [
    "| step | kind | what it does | params (`medprep steps NAME` for details) |",
    "|---|---|---|---|",
    ...rows,
  ].join("\n");
}

/** README text with the generated table between the markers. */
export function withStepsTable(readme: string): string {
  const a = readme.indexOf(START), b = readme.indexOf(END);
  if (a < 0 || b < a) throw new Error(`Cannot update README: markers ${START} … ${END} not found`);
  return readme.slice(0, a + START.length) + "\n" + renderStepsTable() + "\n" + readme.slice(b);
}

if (import.meta.main) {
  const path = new URL("../README.md", import.meta.url);
  const text = Deno.readTextFileSync(path);
  if (Deno.args.includes("--write")) Deno.writeTextFileSync(path, withStepsTable(text));
  else console.log(renderStepsTable());
}
