/**
 * What `--out` already holds from earlier runs of this provenance file (per shard): the
 * provenance file and the journal of a run that was killed. A different recipe (another
 * recipe sha256 or resolved recipe) is refused (exit 2) unless `--force`, which first removes
 * exactly the files those records list as outputs — inside `--out`, never through a symlink,
 * only regular files whose size and sha256 still match. A damaged provenance file or journal
 * is never ignored silently: `--resume` warns and rebuilds the subjects it held, a plain run
 * refuses (exit 2), `--force` warns and replaces it.
 */
import { ManifestError } from "../errors.ts";
import { sha256File } from "../nifti/hash.ts";
import type { ProvenanceHeader } from "../provenance/header.ts";
import { journalPathOf, readJournal } from "../provenance/journal.ts";
import { readProvenanceFile } from "../provenance/read_provenance.ts";
import { stringifyStable } from "../provenance/stable_json.ts";
import type { RunFileRecord, SubjectRecord } from "../provenance/types.ts";
import { reportPathOf } from "../report/write_report.ts";
import { removeRunFiles } from "./run_files.ts";

/** What identifies the run that wrote a record: medprep's code and the recipe. */
export type RunHeader = Pick<ProvenanceHeader, "tool" | "recipe">;

/** One file of an earlier run (provenance or journal), oldest first. */
export interface PreviousSource {
  file: string;
  header: RunHeader;
  records: SubjectRecord[];
  /** The output manifest and dataset.json that run wrote (provenance `runFiles`). */
  runFiles?: RunFileRecord[];
}

/** Everything earlier runs left in `--out` for this provenance file. */
export interface PreviousRun {
  sources: PreviousSource[];
  /** Files that exist but cannot be used, with what is wrong. */
  problems: { file: string; message: string }[];
}

/** Reads the provenance file at `provenancePath` and its journal (either may be absent). */
export async function readPreviousRun(provenancePath: string): Promise<PreviousRun> {
  const previous: PreviousRun = { sources: [], problems: [] };
  const prov = await readProvenanceFile(provenancePath);
  if (prov.provenance) {
    const { subjects, runFiles, ...header } = prov.provenance;
    previous.sources.push({ file: provenancePath, header, records: subjects, runFiles });
  } else if (prov.problem) previous.problems.push({ file: provenancePath, message: prov.problem });
  const journalPath = journalPathOf(provenancePath);
  const journal = await readJournal(journalPath);
  if (journal.journal) {
    const { header, records } = journal.journal;
    previous.sources.push({ file: journalPath, header, records });
  } else if (journal.problem) {
    previous.problems.push({ file: journalPath, message: journal.problem });
  }
  return previous;
}

/** Whether two runs used the same recipe (same file bytes and same resolved recipe). */
export function sameRecipe(a: RunHeader, b: RunHeader): boolean {
  return a.recipe.sha256 === b.recipe.sha256 &&
    stringifyStable(a.recipe.resolved) === stringifyStable(b.recipe.resolved);
}

/** `recipe "name" (path, sha256 1234abcd5678, seed 7)` for messages. */
export function describeRecipe(h: RunHeader): string {
  return `recipe "${h.recipe.resolved?.name}" (${h.recipe.path}, sha256 ${
    h.recipe.sha256.slice(0, 12)
  }, seed ${h.recipe.resolved?.seed})`;
}

const usage = (message: string) => new ManifestError([{ path: "--out", message }]);

/**
 * Applies the rules of the module comment before a run; returns what `--resume` may use.
 * @throws ManifestError (exit 2, nothing written) for a different recipe or a damaged file
 */
export async function settlePreviousRun(
  previous: PreviousRun,
  current: RunHeader,
  options: { resume: boolean; force: boolean; outDir: string; log: (line: string) => void },
): Promise<PreviousRun> {
  const { outDir, log } = options;
  for (const { file, message } of previous.problems) {
    if (options.force) {
      log(`medprep: warning: "${file}" is damaged (${message}); --force replaces it`);
      await Deno.remove(file).catch(() => {});
    } else if (options.resume) {
      log(`medprep: warning: ignoring "${file}": ${message}; its subjects are rebuilt`);
    } else {
      throw usage(
        `Cannot run into "${outDir}": "${file}" is damaged (${message}), so medprep cannot tell ` +
          "which files there it wrote; use --resume to rebuild every subject, or --force to replace it",
      );
    }
  }
  const foreign = previous.sources.filter((s) => !sameRecipe(s.header, current));
  if (foreign.length > 0 && !options.force) {
    const old = foreign[0];
    const n = old.records.reduce((k, r) => k + r.outputs.length, 0);
    throw usage(
      `Cannot run ${describeRecipe(current)} into "${outDir}": it holds the outputs of ` +
        `${describeRecipe(old.header)}, recorded in "${old.file}"; use another --out, or --force ` +
        `to remove those ${n} file(s) first`,
    );
  }
  for (const source of foreign) {
    const { removed, kept } = await removeRecordedOutputs(source.records, outDir);
    log(
      `medprep: --force removed ${removed.length} file(s) of ${describeRecipe(source.header)}`,
    );
    for (const k of kept) log(`medprep: --force kept "${k.path}": ${k.reason}`);
    await removeRunFiles(outDir, source.runFiles ?? []); // its manifest.csv, dataset.json
    await Deno.remove(source.file).catch(() => {});
    // Its report.html described that run (issue 14.2); the new run writes its own.
    if (!source.file.endsWith(".jsonl")) {
      await Deno.remove(reportPathOf(source.file)).catch(() => {});
    }
  }
  return { sources: previous.sources, problems: [] };
}

/** Why `rel` may not be removed as a recorded output of `outDir`, or null when it may. */
async function refuseRemoval(
  outDir: string,
  rel: string,
  want: { sha256: string; size?: number },
): Promise<string | null> {
  const parts = rel.split("/");
  if (rel.startsWith("/") || parts.some((p) => p === "" || p === "." || p === "..")) {
    return "not a plain path inside --out";
  }
  let path = outDir;
  for (const [i, part] of parts.entries()) {
    path += `/${part}`;
    let st: Deno.FileInfo;
    try {
      st = await Deno.lstat(path);
    } catch {
      return "no such file";
    }
    if (st.isSymlink) return "a symbolic link is never followed";
    if (i < parts.length - 1 ? !st.isDirectory : !st.isFile) return "not a regular file";
    if (i === parts.length - 1 && want.size !== undefined && st.size !== want.size) {
      return "changed since that run wrote it";
    }
  }
  if ((await sha256File(path)) !== want.sha256) return "changed since that run wrote it";
  return null;
}

/**
 * Removes the outputs `records` list, each only if it is still the file that was recorded;
 * then the folders that became empty. Returns what was removed and what was kept and why.
 */
export async function removeRecordedOutputs(
  records: readonly SubjectRecord[],
  outDir: string,
): Promise<{ removed: string[]; kept: { path: string; reason: string }[] }> {
  const removed: string[] = [], kept: { path: string; reason: string }[] = [];
  const seen = new Set<string>();
  for (const output of records.flatMap((r) => r.outputs)) {
    if (seen.has(output.path)) continue;
    seen.add(output.path);
    const reason = await refuseRemoval(outDir, output.path, output);
    if (reason === "no such file") continue;
    if (reason) {
      kept.push({ path: output.path, reason });
      continue;
    }
    await Deno.remove(`${outDir}/${output.path}`);
    removed.push(output.path);
    // Folders the run made for its outputs go too, once empty (never --out itself).
    const parts = output.path.split("/").slice(0, -1);
    for (let n = parts.length; n > 0; n--) {
      const ok = await Deno.remove(`${outDir}/${parts.slice(0, n).join("/")}`).then(
        () => true,
        () => false,
      );
      if (!ok) break;
    }
  }
  return { removed, kept };
}
