/**
 * The one output planner: every file a run writes, rendered by the sink for every subject,
 * role and copy, each name checked before anything is read — no value may add a path segment
 * or a `.`/`..` segment, hold a control character, or leave the output directory — and no two
 * outputs may share a name, compared as a case-insensitive file system would (`sub`, `SUB`),
 * nor take a name the run writes itself (provenance.json, dataset.json, …: reserved_names.ts).
 * `validate --manifest`, `run --dry-run` and `run` all use it.
 */
import type { Issue } from "../errors.ts";
import { deriveStem } from "../nifti/nifti_paths.ts";
import type { SinkFile } from "../steps/step.ts";
import { outputRolesOf, type Plan } from "./plan.ts";
import { reservedNameOf } from "./reserved_names.ts";

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
  /** Set on a preview picture: the output it shows. */
  previewOf?: string;
  /** A sidecar: the path of the file it describes. */
  sidecarOf?: string;
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
  // Every file of one subject copy: the sink's own list (one file for all roles, sidecars),
  // else one `outputName` per role.
  const filesOf = (
    id: string,
    copy: number,
    roles: { role: string; stem: string }[],
  ): SinkFile[] =>
    definition.outputFiles?.(params, { id, copy, roles }) ??
      roles.map((r) => ({
        role: r.role,
        path: definition.outputName(params, { id, role: r.role, stem: r.stem, copy }),
      }));
  const template = filesOf("x", 0, [{ role: "x", stem: "x" }])[0].path;
  const outputs: PlannedOutput[] = [];
  const issues: Issue[] = [];
  const seen = new Map<string, PlannedOutput>();
  const fail = (o: Pick<PlannedOutput, "row">, message: string) =>
    issues.push({ file: options.file, path: `row ${o.row}`, message });
  // A name the run writes itself (reserved_names.ts): one would overwrite the other.
  const reserved = (o: PlannedOutput) => {
    const name = reservedNameOf(o.path);
    if (name === undefined) return false;
    const what = o.previewOf ? `preview "${o.path}"` : JSON.stringify(o.path);
    const as = name === o.path ? "" : ` (its folder "${name}")`;
    fail(
      o,
      `Cannot write ${what} for ${describe(o)}: medprep keeps that name${as} for its own ` +
        "files in the output folder (provenance, manifest, dataset.json, report, …, in any " +
        "letter case); change the save name",
    );
    return true;
  };
  for (const subject of subjects) {
    const roles: { role: string; stem: string }[] = [];
    let bad = false;
    // Roles without a file are reported by the manifest check (the subject fails); steps that
    // merge or rename roles (stack) are followed (outputRolesOf).
    for (const { role, from } of outputRolesOf(plan, subject.paths)) {
      const values = { id: subject.id, role, stem: deriveStem(subject.paths[from]) };
      const wrong = (["id", "role", "stem"] as const)
        .map((k) => [k, checkNameValue(values[k])] as const)
        .find(([, reason]) => reason);
      if (wrong) {
        // The name cannot be made; this role (and a file shared with it) is not planned.
        const path = filesOf(subject.id, 0, [values])[0].path;
        const output = { id: subject.id, row: subject.row, role, copy: 0, path };
        const reason = `{${wrong[0]}} is ${JSON.stringify(values[wrong[0]])}: ${wrong[1]}`;
        fail(output, `Cannot write ${JSON.stringify(path)} for ${describe(output)}: ${reason}`);
        bad = true;
      } else roles.push(values);
    }
    if (bad && definition.outputFiles) continue;
    if (roles.length === 0) continue;
    const perCopy = Array.from({ length: plan.copies }, (_, c) => filesOf(subject.id, c, roles));
    // Roles (as the sink names them), then copies.
    const all = perCopy.flatMap((files, copy) => files.map((file) => ({ file, copy })));
    const order = [...new Set(all.map((e) => e.file.role))]
      .flatMap((role) => all.filter((e) => e.file.role === role));
    let broken = "";
    for (const { file, copy } of order) {
      if (broken === file.role) continue;
      const output: PlannedOutput = {
        id: subject.id,
        row: subject.row,
        role: file.role,
        copy,
        path: file.path,
        ...(file.sidecarOf ? { sidecarOf: file.sidecarOf } : {}),
      };
      const reason = checkRenderedPath(file.path, template);
      if (reason) {
        fail(
          output,
          `Cannot write ${JSON.stringify(file.path)} for ${describe(output)}: ${reason}`,
        );
        broken = file.role; // one message per role
        continue;
      }
      if (reserved(output)) continue;
      const key = foldKey(file.path);
      const prev = seen.get(key);
      if (prev) {
        const how = prev.path === file.path
          ? ""
          : ` (same name but for letter case: "${prev.path}"; case-insensitive file systems would overwrite it)`;
        fail(
          output,
          `Cannot write "${file.path}": ${describe(output)} and ${
            describe(prev)
          } write the same file${how}`,
        );
        continue;
      }
      seen.set(key, output);
      outputs.push(output);
      // A preview picture beside the output (save: { preview: true }) is an output too.
      const preview = file.sidecarOf ? undefined : definition.previewName?.(params, file.path);
      if (preview !== undefined) {
        const shown: PlannedOutput = { ...output, path: preview, previewOf: file.path };
        if (reserved(shown)) continue;
        const other = seen.get(foldKey(preview));
        if (other) {
          fail(
            shown,
            `Cannot write preview "${preview}" of ${describe(shown)}: ${
              describe(other)
            } writes the same file`,
          );
          continue;
        }
        seen.set(foldKey(preview), shown);
        outputs.push(shown);
      }
    }
  }
  return { outputs, issues };
}
