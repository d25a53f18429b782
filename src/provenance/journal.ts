/**
 * The provenance journal: while a run works, every finished subject's record is appended as
 * one JSON line to `<provenance name>.journal.jsonl` in `--out` and fsynced, so kill -9,
 * SIGHUP or a power cut loses only the subjects in flight. The line is written at once (in the
 * kernel's hands: a kill -9 cannot lose it); the fsync runs off the main thread and is grouped
 * — while one is in flight, lines appended meanwhile wait for the next — so the main thread
 * never blocks on the disk between handing out jobs (issue 15.3d), and a power cut loses at
 * most the lines of the fsync in flight, as it would the subjects finishing then. The run's first line holds the
 * provenance header; at the end the run compacts everything into the provenance file and
 * removes the journal. A last line without its newline is a write cut short and is ignored.
 */
import type { ProvenanceHeader } from "./header.ts";
import { checkProvenanceHeader, checkSubjectRecord } from "./read_provenance.ts";
import type { SubjectRecord } from "./types.ts";

/** Marker of a journal's first line. */
const MAGIC = "medprep provenance journal";

/** `x/provenance.json` → `x/provenance.journal.jsonl` (per shard, per replay alike). */
export function journalPathOf(provenancePath: string): string {
  return provenancePath.replace(/\.json$/, "") + ".journal.jsonl";
}

/** A journal read back: the run's header and start time, and the finished subjects. */
export interface JournalContent {
  header: ProvenanceHeader;
  started: string;
  records: SubjectRecord[];
}

/** A journal as read: its content, or null with the problem (null problem: no journal). */
export type ReadJournal =
  | { journal: JournalContent; problem?: undefined }
  | { journal: null; problem: string | null };

/** Reads the journal at `path` (the whole file; a cut-short last line is ignored). */
export async function readJournal(path: string): Promise<ReadJournal> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return { journal: null, problem: null };
    return { journal: null, problem: e instanceof Error ? e.message : String(e) };
  }
  const lines = text.split("\n");
  lines.pop(); // "" after the last newline, or a line cut short by a kill: not written
  if (lines.length === 0) return { journal: null, problem: "empty journal (no header line)" };
  const values: unknown[] = [];
  for (const [i, line] of lines.entries()) {
    try {
      values.push(JSON.parse(line));
    } catch (e) {
      return { journal: null, problem: `line ${i + 1}: not valid JSON (${(e as Error).message})` };
    }
  }
  const first = values[0] as Record<string, unknown> | null;
  const header = first?.header as Record<string, unknown> | undefined;
  if (first?.journal !== MAGIC || !header || typeof first.started !== "string") {
    return { journal: null, problem: "line 1: not a medprep journal header" };
  }
  const headerProblem = checkProvenanceHeader(header);
  if (headerProblem) return { journal: null, problem: `line 1: ${headerProblem}` };
  const records: SubjectRecord[] = [];
  for (const [i, v] of values.slice(1).entries()) {
    const problem = checkSubjectRecord((v as { subject?: unknown })?.subject, "subject");
    if (problem) return { journal: null, problem: `line ${i + 2}: ${problem}` };
    records.push((v as { subject: SubjectRecord }).subject);
  }
  return {
    journal: { header: header as unknown as ProvenanceHeader, started: first.started, records },
  };
}

/** An open journal: append finished subjects, then remove it once provenance is written. */
export interface Journal {
  readonly path: string;
  /**
   * Appends one record as one line now and has it fsynced in the background, grouped with
   * others (warns once on failure).
   */
  append(record: SubjectRecord): void;
  /** Resolves once every line appended so far is fsynced (or the journal failed). */
  flush(): Promise<void>;
  /** Closes and deletes the journal (after the provenance file was written). */
  remove(): Promise<void>;
  /** Closes without deleting (idempotent). */
  close(): void;
}

const encoder = new TextEncoder();

function writeAll(file: Deno.FsFile, bytes: Uint8Array): void {
  for (let o = 0; o < bytes.length;) o += file.writeSync(bytes.subarray(o));
}

/**
 * Starts a journal at `path` with the header line and `records` (subjects kept by
 * `--resume`, so a second kill loses them neither). It replaces an existing journal
 * atomically (temp file, fsync, rename) and is then appended to.
 */
export async function createJournal(
  path: string,
  start: { header: ProvenanceHeader; started: string },
  records: readonly SubjectRecord[],
): Promise<Journal> {
  const slash = path.lastIndexOf("/");
  const tmp = `${path.slice(0, slash + 1)}.medprep-tmp-${crypto.randomUUID()}.jsonl`;
  const lines = [
    JSON.stringify({ journal: MAGIC, started: start.started, header: start.header }),
    ...records.map((subject) => JSON.stringify({ subject })),
  ];
  // The file made here stays open and is appended to: the name is never opened again, so a
  // link put at it meanwhile is never followed, and `remove` deletes the name only while it is
  // still this file.
  let made: Deno.FsFile | undefined;
  try {
    made = await Deno.open(tmp, { write: true, append: true, createNew: true });
    writeAll(made, encoder.encode(lines.join("\n") + "\n"));
    made.syncSync();
    await Deno.rename(tmp, path);
  } catch (e) {
    made?.close();
    await Deno.remove(tmp).catch(() => {});
    throw new Error(`Cannot write "${path}": ${e instanceof Error ? e.message : String(e)}`);
  }
  const file = made;
  const identity = file.statSync();
  // open: appends accepted; fileOpen: the descriptor not closed yet (a sync may be in flight).
  let open = true, fileOpen = true, failed = false;
  let syncing: Promise<void> | null = null, dirty = false;
  const closeFile = () => {
    if (fileOpen) file.close();
    fileOpen = false;
  };
  const fail = (e: unknown) => {
    // The run goes on and still writes the provenance file at its end.
    if (!failed) {
      console.error(
        `medprep: warning: Cannot append to "${path}": ${(e as Error).message}; ` +
          "a kill now would lose the record of finished subjects",
      );
    }
    failed = true;
  };
  const sync = () => {
    dirty = false;
    syncing = file.syncData().then(() => {}, fail).finally(() => {
      syncing = null;
      if (dirty && !failed) sync();
      else if (!open) closeFile();
    });
  };
  const close = () => {
    open = false;
    if (!syncing) closeFile(); // else the sync in flight (and one for later lines) closes it
  };
  return {
    path,
    append(record) {
      if (failed || !open) return;
      try {
        writeAll(file, encoder.encode(JSON.stringify({ subject: record }) + "\n"));
      } catch (e) {
        fail(e);
        return;
      }
      if (syncing) dirty = true;
      else sync();
    },
    async flush() {
      while (syncing) await syncing;
    },
    async remove() {
      close();
      while (syncing) await syncing;
      let now: Deno.FileInfo;
      try {
        now = await Deno.lstat(path);
      } catch (e) {
        if (e instanceof Deno.errors.NotFound) return;
        throw e;
      }
      if (identity.ino === null || now.ino !== identity.ino || now.dev !== identity.dev) {
        return; // not the file this journal made: left alone
      }
      await Deno.remove(path).catch((e) => {
        if (!(e instanceof Deno.errors.NotFound)) throw e;
      });
    },
    close,
  };
}
