/**
 * The run-level files next to provenance.json — the output manifest and dataset.json
 * (provenance/output_manifest.ts) — are this run's files like its outputs: medprep replaces or
 * removes one only while it is the file an earlier run in `--out` recorded (`runFiles` in its
 * provenance, same sha256); a file of the same name that medprep did not write (a user's own
 * manifest.csv in `--out`) stops the run before anything is written (exit 2). `findUserFiles` is
 * the same check for every file a command replaces in place (merge-provenance, report,
 * fingerprint), each with what vouches for its file.
 */
import { type Issue, ManifestError } from "../errors.ts";
import { sha256File } from "../nifti/hash.ts";
import type { RunFileRecord } from "../provenance/types.ts";
import { assertStillResolved } from "./confine.ts";
import type { PlannedOutput } from "../recipe/output_names.ts";
import { Listings } from "./listings.ts";

/**
 * Whether the regular file at `path` (it exists) is one medprep may replace: one it wrote and
 * can prove it wrote (recorded with its sha256, or medprep's own kind of file for the same recipe).
 */
export type Vouch = (path: string) => Promise<boolean>;

/** A file recorded in `recorded` under `name` with the sha256 it still has. */
export function recordedAs(recorded: readonly RunFileRecord[], name: string): Vouch {
  const want = recorded.findLast((r) => r.path === name);
  return async (path) => want !== undefined && (await sha256File(path)) === want.sha256;
}

async function state(path: string, vouch: Vouch): Promise<"absent" | "ours" | "foreign"> {
  let st: Deno.FileInfo;
  try {
    st = await Deno.lstat(path);
  } catch {
    return "absent";
  }
  if (!st.isFile) return "foreign"; // a link, a folder: never written through or over
  return (await vouch(path)) ? "ours" : "foreign";
}

/**
 * The one check of every command that writes a file medprep may replace (a run's manifest.csv,
 * dataset.json and dataset-stats.json; merge-provenance's files; report's report.html;
 * fingerprint's statistics): each `target` in `dir` must be absent or vouched for; a file
 * medprep did not write (a user's) gives an issue naming it, to refuse before any work (exit 2).
 */
export async function findUserFiles(
  dir: string,
  targets: readonly { name: string; vouch: Vouch }[],
  hint = "move it or choose another --out",
): Promise<Issue[]> {
  const issues: Issue[] = [];
  for (const { name, vouch } of targets) {
    if ((await state(`${dir}/${name}`, vouch)) !== "foreign") continue;
    issues.push({
      path: "--out",
      message: `Cannot write "${dir}/${name}": a file medprep did not write (or that changed ` +
        `since) is there; ${hint}`,
    });
  }
  return issues;
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
    const found = await findUserFiles(outDir, [{ name, vouch: recordedAs(recorded, name) }]);
    if (found.length > 0 && replace) {
      replace(
        `medprep: warning: "${outDir}/${name}" is not recorded by a readable provenance; it is replaced`,
      );
      continue;
    }
    issues.push(...found);
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
    const path = `${outDir}/${r.path}`;
    if (r.path.includes("/") || (await state(path, recordedAs([r], r.path))) !== "ours") continue;
    assertStillResolved(outDir);
    await Deno.remove(path);
    removed.push(r.path);
  }
  return removed;
}

/**
 * Checks that nothing (file, link, folder) is at a planned output name unless a provenance or
 * journal in `outDir` records that name as an output: `recorded` holds what the run's own
 * provenance and journal record, `others` what the other provenance files there record (other
 * shards, a whole or merged run, replays). One listing per folder; a fresh `--out` costs one.
 * With `replace` (the run's provenance is damaged), such names are only warned about.
 * @throws ManifestError (exit 2): one issue naming the first such name and how many more
 */
export function checkOutputNames(
  outDir: string,
  planned: readonly PlannedOutput[],
  options: {
    recorded: ReadonlySet<string>;
    others: ReadonlySet<string>;
    replace?: (line: string) => void;
  },
): void {
  const listings = new Listings(outDir);
  const found = planned.filter((o) =>
    !options.recorded.has(o.path) && !options.others.has(o.path) &&
    listings.has(`${outDir}/${o.path}`)
  );
  if (found.length === 0) return;
  const o = found[0];
  const more = found.length > 1 ? ` (and ${found.length - 1} more)` : "";
  if (options.replace) {
    options.replace(
      `medprep: warning: "${outDir}/${o.path}"${more} is not recorded by a readable provenance; ` +
        "it is replaced",
    );
    return;
  }
  throw new ManifestError([{
    path: "--out",
    message:
      `Cannot write "${outDir}/${o.path}" for row ${o.row} (subject ${
        JSON.stringify(o.id)
      }): something medprep did not write is there${more}, recorded as an output by no ` +
      "provenance in --out; medprep never replaces it, not even with --force (which removes " +
      "only files a provenance records that still match); move it or choose another --out",
  }]);
}
