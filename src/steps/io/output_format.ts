/**
 * What `save` writes where: the file format (NIfTI `.nii.gz` / `.nii`, NumPy `.npy` / `.npz`),
 * the default name per format, the extension rules, and the JSON sidecar next to every
 * NumPy output. The one place that knows them: `save.outputFiles` (and through it the run's
 * output planner, recipe/output_names.ts) and `save.write` both call `saveFiles`.
 *
 * Extension rules: without `format`, the name's ending decides (`.nii.gz`, `.nii`, `.npy`,
 * `.npz`; none of these → `.nii.gz` appended); with `format`, a name ending in another of
 * these extensions is an error and one without an extension gets the format's. `npz` holds
 * every role of a subject in one file (one array per role, named after it), so its name has no
 * `{role}` / `{stem}`; every `.npy`/`.npz` output has a sidecar named like it with `.json`.
 */
import type { NameValues, SinkFile } from "../step.ts";
import { renderName } from "./name_template.ts";

/** Formats `save` writes. */
export const FORMATS = ["nii.gz", "nii", "npy", "npz"] as const;

/** One of the formats `save` writes. */
export type Format = typeof FORMATS[number];

const EXT = /\.(nii\.gz|nii|npy|npz)$/i;

/** The format a name's extension implies, or undefined when it has none of them. */
export function formatOfName(name: string): Format | undefined {
  const m = name.match(EXT);
  return m ? (m[1].toLowerCase() as Format) : undefined;
}

/** The format a (possibly unparsed) `save` entry writes: `format`, else the name's, else nii.gz. */
export function formatOf(params: { name?: unknown; format?: unknown }): Format {
  if ((FORMATS as readonly unknown[]).includes(params.format)) return params.format as Format;
  return (typeof params.name === "string" ? formatOfName(params.name) : undefined) ?? "nii.gz";
}

/** True for the NumPy formats (arrays in a layout, with a sidecar). */
export function isArrayFormat(format: Format): format is "npy" | "npz" {
  return format === "npy" || format === "npz";
}

/** The name template used when `name` is not written. */
export function defaultName(format: Format): string {
  return format === "npz" ? "{id}.npz" : `{id}_{role}.${format}`;
}

/** The sidecar of a NumPy output: the same name with `.json` for `.npy` / `.npz`. */
export function sidecarPathOf(path: string): string {
  return path.replace(/\.np[yz]$/i, "") + ".json";
}

/** Problems of a name with a format (extension mismatch, `{role}` in an npz name). */
export function checkFormatName(name: string, format: Format | undefined): string[] {
  const problems: string[] = [];
  const ext = formatOfName(name);
  if (ext && format && ext !== format) {
    problems.push(`the name ends in .${ext} but format is ${format}`);
  }
  if ((format ?? ext) === "npz" && /\{(role|stem)\}/.test(name)) {
    problems.push(
      'npz holds every role of a subject in one file (one array per role); drop {role} and {stem}, e.g. "{id}.npz"',
    );
  }
  return problems;
}

/** The name with its format's extension (replacing a known one). */
function withExtension(rendered: string, format: Format): string {
  return `${rendered.replace(EXT, "")}.${format}`;
}

/**
 * Every file `save` writes for one subject copy with these roles, in write order: one per role
 * (NIfTI, npy) or one for all (npz), each NumPy file followed by its sidecar.
 */
export function saveFiles(
  params: { name: string; format?: Format },
  values: { id: string; copy: number; roles: readonly { role: string; stem: string }[] },
): SinkFile[] {
  const format = formatOf(params);
  const render = (v: NameValues) => withExtension(renderName(params.name, v), format);
  if (format === "npz") {
    const path = render({ id: values.id, role: "", stem: "", copy: values.copy });
    const role = values.roles.map((r) => r.role).join("+");
    return [{ role, path }, { role, path: sidecarPathOf(path), sidecarOf: path }];
  }
  return values.roles.flatMap(({ role, stem }) => {
    const path = render({ id: values.id, role, stem, copy: values.copy });
    return format === "npy"
      ? [{ role, path }, { role, path: sidecarPathOf(path), sidecarOf: path }]
      : [{ role, path }];
  });
}
