/**
 * The one output planner: every file a run writes, rendered by the sink for every subject,
 * role and copy, each name checked before anything is read — no value may add a path segment
 * or a `.`/`..` segment, hold a control character, or leave the output directory — and no two
 * outputs may share a name, compared as a case-insensitive file system would (`sub`, `SUB`).
 * `validate --manifest`, `run --dry-run` and `run` all use it.
 */
import type { Issue } from "../errors.ts";
import { deriveStem } from "../nifti/nifti_paths.ts";
import type { NameValues } from "../steps/step.ts";
import { outputRolesOf, type Plan } from "./plan.ts";

/** One subject as the planner needs it (a manifest row or a runner job). */
export interface SubjectFiles {
  readonly id: string;
  /** Manifest row (line or entry number) for messages. */
  readonly row: number;
  /** Role → input path (roles without a file are absent). */
  readonly paths: Readonly<Record<string, string>>;
}

/** One file the run will write. */
export interface PlannedOutput {
  id: string;
  row: number;
  role: string;
  copy: number;
  /** Relative to the output directory, `/`-separated. */
  path: string;
}

// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Why a substituted value cannot be part of a file name, or undefined when it can. */
export function checkNameValue(value: string): string | undefined {
  if (value === "") return "it is empty";
  if (CONTROL.test(value)) return "it holds a control character";
  if (/[/\\]/.test(value)) return "it holds a path separator";
  if (value === "." || value === "..") return `it is "${value}", a directory reference`;
  return undefined;
}

/** Why a rendered relative path could leave the output directory, or undefined. */
export function checkRenderedPath(path: string, template?: string): string | undefined {
  if (CONTROL.test(path)) return "it holds a control character";
  if (path.includes("\\")) return "it holds a \\";
  if (path.startsWith("/")) return "it is absolute";
  const segments = path.split("/");
  if (segments.some((s) => s === "" || s === "." || s === "..")) {
    return "it has an empty, . or .. path segment (it would leave the output directory)";
  }
  if (template !== undefined && segments.length !== template.split("/").length) {
    return "a substituted value adds a path separator";
  }
  return undefined;
}

function describe(o: { row: number; id: string; role: string; copy: number }): string {
  return `row ${o.row} (subject ${JSON.stringify(o.id)}, role ${o.role}${
    o.copy ? `, copy ${o.copy}` : ""
  })`;
}

/** The key under which two names are the same file on a case-insensitive file system. */
function foldKey(path: string): string {
  return path.normalize("NFC").toLowerCase();
}

/**
 * Every output of every subject (roles, then copies, in subject order) and every problem:
 * names that would leave the output directory and names written twice.
 */
export function planOutputs(
  plan: Plan,
  subjects: readonly SubjectFiles[],
  options: { file?: string } = {},
): { outputs: PlannedOutput[]; issues: Issue[] } {
  const { definition, params } = plan.sink;
  const template = definition.outputName(params, { id: "x", role: "x", stem: "x", copy: 0 });
  const outputs: PlannedOutput[] = [];
  const issues: Issue[] = [];
  const seen = new Map<string, PlannedOutput>();
  const fail = (o: Pick<PlannedOutput, "row">, message: string) =>
    issues.push({ file: options.file, path: `row ${o.row}`, message });
  for (const subject of subjects) {
    // Roles without a file are reported by the manifest check (the subject fails).
    for (const { role, from } of outputRolesOf(plan, subject.paths)) {
      const values: NameValues = {
        id: subject.id,
        role,
        stem: deriveStem(subject.paths[from]),
        copy: 0,
      };
      const bad = (["id", "role", "stem"] as const)
        .map((k) => [k, checkNameValue(values[k])] as const)
        .find(([, reason]) => reason);
      for (let copy = 0; copy < plan.copies; copy++) {
        const path = definition.outputName(params, { ...values, copy });
        const output: PlannedOutput = { id: subject.id, row: subject.row, role, copy, path };
        const reason = bad
          ? `{${bad[0]}} is ${JSON.stringify(values[bad[0]])}: ${bad[1]}`
          : checkRenderedPath(path, template);
        if (reason) {
          fail(output, `Cannot write ${JSON.stringify(path)} for ${describe(output)}: ${reason}`);
          break;
        }
        const key = foldKey(path);
        const prev = seen.get(key);
        if (prev) {
          const how = prev.path === path
            ? ""
            : ` (same name but for letter case: "${prev.path}"; case-insensitive file systems would overwrite it)`;
          fail(
            output,
            `Cannot write "${path}": ${describe(output)} and ${
              describe(prev)
            } write the same file${how}`,
          );
          continue;
        }
        seen.set(key, output);
        outputs.push(output);
      }
    }
  }
  return { outputs, issues };
}
