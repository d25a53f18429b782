/**
 * What `--out` already holds from earlier runs of this provenance file (per shard): the
 * provenance file and the journal of a run that was killed. A different recipe (another
 * recipe sha256 or resolved recipe) is refused (exit 2) unless `--force`, which first removes
 * exactly the files those records list as outputs — inside `--out`, never through a symlink,
 * only regular files whose size and sha256 still match, never a file that is an input of a
 * subject of the current manifest (same file on disk, same_file.ts: it stays, with a note, and
 * is from then on a file of the user's). A damaged provenance file or journal
 * is never ignored silently: `--resume` warns and rebuilds the subjects it held, a plain run
 * refuses (exit 2), `--force` warns and replaces it.
 *
 * The other provenance files in `--out` (a whole run's, the shards', replays', and their
 * journals) record outputs in the same folder: a run is refused when one of them holds another
 * recipe, even with `--force` (which removes only what this run's own provenance file records),
 * and a replay never overwrites an output one of them records.
 */
import { basename, dirname } from "node:path";
import { ManifestError } from "../errors.ts";
import { sha256File } from "../nifti/hash.ts";
import type { ProvenanceHeader } from "../provenance/header.ts";
import { journalPathOf, readJournal } from "../provenance/journal.ts";
import { readProvenanceFile } from "../provenance/read_provenance.ts";
import { stringifyStable } from "../provenance/stable_json.ts";
import type { RunFileRecord, SubjectRecord } from "../provenance/types.ts";
import { reportPathOf } from "../report/write_report.ts";
import { assertStillResolved } from "./confine.ts";
import { removeRunFiles } from "./run_files.ts";
import type { InputFiles } from "./same_file.ts";

/** The subject of the current manifest a file is an input of. */
export type InputOf = { id: string; row: number };

const inputReason = (hit: InputOf) =>
  `it is an input of subject "${hit.id}" (row ${hit.row}) of this manifest`;

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
  /**
   * The other provenance files and journals in `--out` (other shards, a whole run, replays)
   * that could be read; a damaged one is its own run's business and is not listed.
   */
  siblings: PreviousSource[];
  /** Outputs of another recipe that `--force` kept (changed since recorded, or an input). */
  keptByForce?: string[];
}

/** Names of the provenance files and journals runs leave in `--out` (shard.ts, batch.ts). */
const PROVENANCE_FILE =
  /^provenance(\.shard-\d+-of-\d+|\.replay-.+-copy\d+)?(\.json|\.journal\.jsonl)$/;

/** Reads the provenance file at `provenancePath` and its journal (either may be absent). */
export async function readPreviousRun(provenancePath: string): Promise<PreviousRun> {
  const previous: PreviousRun = { sources: [], problems: [], siblings: [] };
  const journalPath = journalPathOf(provenancePath);
  for (
    const [file, source, problem] of await Promise.all([
      readSource(provenancePath),
      readSource(journalPath),
    ])
  ) {
    if (source) previous.sources.push(source);
    else if (problem) previous.problems.push({ file, message: problem });
  }
  const dir = dirname(provenancePath);
  const names: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) {
      if (!e.isFile || !PROVENANCE_FILE.test(e.name)) continue;
      if (e.name !== basename(provenancePath) && e.name !== basename(journalPath)) {
        names.push(e.name);
      }
    }
  } catch { /* no output folder yet */ }
  for (const name of names.sort()) {
    const [, source] = await readSource(`${dir}/${name}`);
    if (source) previous.siblings.push(source);
  }
  return previous;
}

/** A provenance file or journal read back (null and why when it is damaged, null when absent). */
async function readSource(
  file: string,
): Promise<[string, PreviousSource | null, string | null]> {
  if (file.endsWith(".jsonl")) {
    const journal = await readJournal(file);
    if (!journal.journal) return [file, null, journal.problem];
    const { header, records } = journal.journal;
    return [file, { file, header, records }, null];
  }
  const prov = await readProvenanceFile(file);
  if (!prov.provenance) return [file, null, prov.problem];
  const { subjects, runFiles, ...header } = prov.provenance;
  return [file, { file, header, records: subjects, runFiles }, null];
}

/**
 * Refuses a replay whose outputs would overwrite a file another provenance file in `--out`
 * records (the run it replays, another replay): the replayed bytes may differ (other inputs).
 * @throws ManifestError (exit 2, nothing written)
 */
export function refuseReplayOverRecorded(
  previous: PreviousRun,
  planned: readonly { path: string }[],
  outDir: string,
): void {
  const paths = new Set(planned.map((o) => o.path));
  for (const sibling of previous.siblings) {
    for (const record of sibling.records) {
      const hit = record.outputs.find((o) => paths.has(o.path));
      if (hit) {
        throw usage(
          `Cannot replay into "${outDir}": "${hit.path}" is an output of subject ` +
            `"${record.id}" recorded in "${sibling.file}", and a replay may make other bytes; ` +
            "replay into another --out",
        );
      }
    }
  }
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
  options: {
    resume: boolean;
    force: boolean;
    outDir: string;
    log: (line: string) => void;
    /** The inputs of every subject of the current manifest: `--force` never removes one. */
    inputs?: InputFiles<InputOf>;
  },
): Promise<PreviousRun> {
  const { outDir, log } = options;
  // Checked before --force removes anything: --force never reaches another file's records.
  const other = previous.siblings.find((s) => !sameRecipe(s.header, current));
  if (other) {
    throw usage(
      `Cannot run ${describeRecipe(current)} into "${outDir}": it holds the outputs of ` +
        `${describeRecipe(other.header)}, recorded in "${other.file}"; use another --out ` +
        "(--force removes only what this run's own provenance file records)",
    );
  }
  for (const { file, message } of previous.problems) {
    if (options.force) {
      log(`medprep: warning: "${file}" is damaged (${message}); --force replaces it`);
      assertStillResolved(outDir);
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
  const keptByForce: string[] = [];
  for (const source of foreign) {
    const { removed, kept } = await removeRecordedOutputs(source.records, outDir, options.inputs);
    keptByForce.push(...kept.map((k) => k.path));
    log(
      `medprep: --force removed ${removed.length} file(s) of ${describeRecipe(source.header)}`,
    );
    for (const k of kept) log(`medprep: --force kept "${k.path}": ${k.reason}`);
    await removeRunFiles(outDir, source.runFiles ?? []); // its manifest.csv, dataset.json
    assertStillResolved(outDir);
    await Deno.remove(source.file).catch(() => {});
    // Its report.html described that run (issue 14.2); the new run writes its own.
    if (!source.file.endsWith(".jsonl")) {
      assertStillResolved(outDir);
      await Deno.remove(reportPathOf(source.file)).catch(() => {});
    }
  }
  return {
    sources: previous.sources,
    problems: [],
    siblings: previous.siblings,
    ...(keptByForce.length > 0 ? { keptByForce } : {}),
  };
}

/** Why `rel` may not be removed as a recorded output of `outDir`, or null when it may. */
async function refuseRemoval(
  outDir: string,
  rel: string,
  want: { sha256: string; size?: number },
  inputs?: InputFiles<InputOf>,
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
  const input = inputs?.find(path);
  if (input) return inputReason(input);
  if ((await sha256File(path)) !== want.sha256) return "changed since that run wrote it";
  return null;
}

/**
 * Removes the outputs `records` list, each only if it is still the file that was recorded and
 * none of `inputs`; then the folders that became empty. Returns what was removed and what was kept and why.
 */
export async function removeRecordedOutputs(
  records: readonly SubjectRecord[],
  outDir: string,
  inputs?: InputFiles<InputOf>,
): Promise<{ removed: string[]; kept: { path: string; reason: string }[] }> {
  const removed: string[] = [], kept: { path: string; reason: string }[] = [];
  const seen = new Set<string>();
  for (const output of records.flatMap((r) => r.outputs)) {
    if (seen.has(output.path)) continue;
    seen.add(output.path);
    const reason = await refuseRemoval(outDir, output.path, output, inputs);
    if (reason === "no such file") continue;
    if (reason) {
      kept.push({ path: output.path, reason });
      continue;
    }
    assertStillResolved(outDir); // --out moved or replaced by a link meanwhile: stop
    await Deno.remove(`${outDir}/${output.path}`);
    removed.push(output.path);
    // Folders the run made for its outputs go too, once empty (never --out itself).
    const parts = output.path.split("/").slice(0, -1);
    for (let n = parts.length; n > 0; n--) {
      assertStillResolved(outDir);
      const ok = await Deno.remove(`${outDir}/${parts.slice(0, n).join("/")}`).then(
        () => true,
        () => false,
      );
      if (!ok) break;
    }
  }
  return { removed, kept };
}

/**
 * The latest record of each subject in the sources of this run's recipe (a journal after its
 * provenance file): what `--out` holds from earlier runs of the same recipe.
 */
export function latestRecords(
  previous: PreviousRun,
  current: RunHeader,
): Map<string, SubjectRecord> {
  const latest = new Map<string, SubjectRecord>();
  for (const source of previous.sources) {
    if (!sameRecipe(source.header, current)) continue; // removed by --force
    for (const record of source.records) latest.set(record.id, record);
  }
  return latest;
}

/**
 * After a subject was made again under other output names (its inputs' stems changed), removes
 * the outputs its earlier record lists that no record of this run (`records`: made, kept or
 * carried over) lists, each only while it is still
 * the recorded file and no input of the manifest (else it is kept, with a note). A subject that failed this time
 * keeps whatever it had (its final names hold what was there before the run).
 */
export async function removeSupersededOutputs(
  earlier: ReadonlyMap<string, SubjectRecord>,
  records: readonly SubjectRecord[],
  outDir: string,
  log: (line: string) => void,
  inputs?: InputFiles<InputOf>,
): Promise<void> {
  const superseded: SubjectRecord[] = [];
  // A name another subject of this run now writes (or keeps) is that subject's file.
  const now = new Set(records.flatMap((r) => r.outputs.map((o) => o.path)));
  for (const record of records) {
    const old = earlier.get(record.id);
    if (record.status !== "done" || !old || old === record) continue;
    const gone = old.outputs.filter((o) => !now.has(o.path));
    if (gone.length > 0) superseded.push({ ...old, outputs: gone });
  }
  if (superseded.length === 0) return;
  const { removed, kept } = await removeRecordedOutputs(superseded, outDir, inputs);
  if (removed.length > 0) {
    log(
      `medprep: removed ${removed.length} earlier output(s) of subjects made again under other names`,
    );
  }
  for (const k of kept) {
    log(`medprep: kept "${k.path}" (an earlier output no longer made): ${k.reason}`);
  }
}
