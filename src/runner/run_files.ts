/**
 * The run-level files next to provenance.json — the output manifest and dataset.json
 * (provenance/output_manifest.ts) — are this run's files like its outputs: medprep replaces or
 * removes one only while it is the file an earlier run in `--out` recorded (`runFiles` in its
 * provenance, same sha256); a file of the same name that medprep did not write (a user's own
 * manifest.csv in `--out`) stops the run before anything is written (exit 2).
 */
import { ManifestError } from "../errors.ts";
import { sha256File } from "../nifti/hash.ts";
import type { RunFileRecord } from "../provenance/types.ts";
import { assertStillResolved } from "./confine.ts";

async function state(path: string, want?: RunFileRecord): Promise<"absent" | "ours" | "foreign"> {
  let st: Deno.FileInfo;
  try {
    st = await Deno.lstat(path);
  } catch {
    return "absent";
  }
  if (!st.isFile || !want) return "foreign";
  return (await sha256File(path)) === want.sha256 ? "ours" : "foreign";
}

/**
 * Checks that each of `names` in `outDir` is absent or recorded by an earlier run (`recorded`);
 * with `replace`, an unrecorded one is only warned about there (it will be replaced).
 * @throws ManifestError (exit 2) naming every file medprep did not write
 */
export async function checkRunFiles(
  outDir: string,
  names: readonly string[],
  recorded: readonly RunFileRecord[],
  replace?: (line: string) => void,
): Promise<void> {
  const issues = [];
  for (const name of names) {
    const want = recorded.findLast((r) => r.path === name);
    if ((await state(`${outDir}/${name}`, want)) !== "foreign") continue;
    if (replace) {
      replace(
        `medprep: warning: "${outDir}/${name}" is not recorded by a readable provenance; it is replaced`,
      );
      continue;
    }
    issues.push({
      path: "--out",
      message: `Cannot write "${outDir}/${name}": a file medprep did not write (or that changed ` +
        "since) is there; move it or choose another --out",
    });
  }
  if (issues.length > 0) throw new ManifestError(issues);
}

/** Removes the recorded run files still as recorded; returns the names removed. */
export async function removeRunFiles(
  outDir: string,
  recorded: readonly RunFileRecord[],
): Promise<string[]> {
  const removed: string[] = [];
  for (const r of recorded) {
    if (r.path.includes("/") || (await state(`${outDir}/${r.path}`, r)) !== "ours") continue;
    assertStillResolved(outDir);
    await Deno.remove(`${outDir}/${r.path}`);
    removed.push(r.path);
  }
  return removed;
}
