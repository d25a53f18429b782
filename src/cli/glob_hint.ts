/**
 * The hint for a glob the shell expanded: `--input data/*.nii.gz` unquoted reaches medprep as
 * `--input data/a.nii.gz data/b.nii.gz …`. Given the files, suggests the quoted pattern (and
 * `--id-from dir` when every file has the same name in its own folder).
 */
import { basename, dirname } from "node:path";
import { UsageError } from "../errors.ts";
import { isGlob } from "../manifest/glob.ts";
import { NIFTI_NAME } from "../manifest/manifest_entries.ts";

function commonPrefix(items: readonly string[]): string {
  let p = items[0] ?? "";
  for (const s of items) while (!s.startsWith(p)) p = p.slice(0, -1);
  return p;
}

function commonSuffix(items: readonly string[]): string {
  const rev = (s: string) => [...s].reverse().join("");
  return rev(commonPrefix(items.map(rev)));
}

/** The quoted pattern that matches `files` (e.g. `'data/*.nii.gz'`, `'data/*\/t1.nii.gz'`). */
export function suggestPattern(files: readonly string[]): string {
  const names = files.map((f) => basename(f));
  if (names.every((n) => n === names[0]) && files.length > 1) {
    const parents = files.map((f) => dirname(dirname(f)));
    const top = parents.every((p) => p === parents[0]) ? parents[0] : "…";
    return `'${top === "." ? "" : `${top}/`}*/${names[0]}' --id-from dir`;
  }
  const dirs = files.map((f) => dirname(f));
  const dir = dirs.every((d) => d === dirs[0]) ? dirs[0] : dirname(commonPrefix(files) + "x");
  const ext = NIFTI_NAME.exec(names[0])?.[0] ?? "";
  let suffix = commonSuffix(names);
  if (suffix.length < ext.length) suffix = ext;
  return `'${dir === "." ? "" : `${dir}/`}*${suffix}'`;
}

/**
 * Throws when `--input` got one file and more files follow it as stray arguments (an unquoted
 * glob expanded by the shell), or when stray arguments are NIfTI files.
 * @throws UsageError with the quoted pattern to use
 */
export function checkExpandedGlob(input: string | undefined, stray: readonly string[]): void {
  const files = stray.filter((a) => NIFTI_NAME.test(a));
  if (input !== undefined && !isGlob(input) && files.length > 0) {
    throw new UsageError([{
      path: "--input",
      message: `Cannot use --input "${input}" followed by ${files.length} more file${
        files.length === 1 ? "" : "s"
      } ("${files[0]}"…): the shell expanded an unquoted glob; quote it, e.g. --input ${
        suggestPattern([input, ...files])
      }`,
    }]);
  }
  if (files.length > 0) {
    throw new UsageError([{
      path: "arguments",
      message: `Cannot use "${files[0]}" here${
        files.length > 1 ? ` (and ${files.length - 1} more NIfTI files)` : ""
      }: a glob the shell expanded? give input files as --input with the pattern in quotes, e.g. --input ${
        suggestPattern(files)
      }`,
    }]);
  }
}
