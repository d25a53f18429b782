/**
 * Output file names of a subject: the `save` name template rendered for every role and
 * augmented copy, with the extension the `format` param asks for. Shared by the pre-flight
 * collision check (main thread) and the sink (worker), so both agree on every path.
 */
import { deriveStem } from "../nifti/nifti_paths.ts";
import { renderName } from "../recipe/name_template.ts";

/** The `save` params the runner reads. */
export interface SaveParams {
  name: string;
  dtype: string;
  rounding?: string;
  compression: number;
  format?: "nii.gz" | "nii";
}

/** The file name (relative to the output directory) for one role of one copy. */
export function deriveOutputPath(
  save: SaveParams,
  values: { id: string; role: string; sourcePath: string; copy: number },
): string {
  const name = renderName(save.name, {
    id: values.id,
    role: values.role,
    stem: deriveStem(values.sourcePath),
    copy: values.copy,
  });
  const base = name.replace(/\.nii(\.gz)?$/i, "");
  const format = save.format ?? (/\.nii$/i.test(name) ? "nii" : "nii.gz");
  return `${base}.${format}`;
}

/** Roles a subject loads: `load.roles`, else every role with a file, in manifest order. */
export function deriveRoles(
  load: { roles?: string[] },
  paths: Record<string, string>,
): string[] {
  return load.roles ?? Object.keys(paths).filter((r) => paths[r]);
}
