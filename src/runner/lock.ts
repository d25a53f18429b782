/**
 * One writer per output folder: `<out>/.medprep.lock` (or `.medprep-shard-I-of-N.lock` for
 * `--shard I/N`, so the shards of one run may write into one folder at the same time). The
 * lock file holds pid, host and start time and appears with its content at once (written
 * aside, then hard-linked: an exclusive create); its owner also holds an OS file lock on it,
 * released by the OS when the process dies. A lock of this host that nobody holds and whose
 * pid is not alive is stale and taken over with a message; a lock of another host is never
 * judged from here: the run is refused with how to remove it. A lock path that is a symbolic
 * link, a FIFO or a folder is never opened nor followed, and a stale lock with another name (a
 * hard link) is never written: the run is refused (exit 2) saying what it is (a live run's lock
 * has two names for an instant while it is made; it is locked then, so it is seen as live). Deno
 * cannot open without following links (no O_NOFOLLOW), so an existing lock is checked with
 * lstat, opened, and written only when the open file is the very file lstat saw. Permissions:
 * --allow-read, --allow-write (the output folder), --allow-sys (host name; optional).
 */
import { ManifestError } from "../errors.ts";
import { assertStillResolved } from "./confine.ts";
import { sameFile } from "./same_file.ts";
import type { Shard } from "./shard.ts";

/** What a lock file holds. */
export interface LockInfo {
  pid: number;
  host: string;
  started: string;
  /** `I/N` of a shard run, absent for a whole run. */
  shard?: string;
}

/** A held lock; `release()` removes the file (also via `using`). */
export interface OutputLock extends Disposable {
  path: string;
  release(): void;
}

const LOCK = /^\.medprep(?:-shard-(\d+)-of-(\d+))?\.lock$/;

/** File name of the lock of a run (per shard). */
export function lockFileName(shard: Shard | null): string {
  return shard ? `.medprep-shard-${shard.index}-of-${shard.count}.lock` : ".medprep.lock";
}

function hostName(): string {
  try {
    return Deno.hostname();
  } catch {
    return "unknown-host"; // no --allow-sys
  }
}

/** Whether a process with `pid` exists on this host (undefined when that cannot be told). */
function pidAlive(pid: number): boolean | undefined {
  if (pid === Deno.pid) return true;
  if (Deno.build.os !== "linux") return undefined;
  try {
    Deno.statSync(`/proc/${pid}`);
    return true;
  } catch (e) {
    return e instanceof Deno.errors.NotFound ? false : undefined;
  }
}

function readInfo(path: string): LockInfo | null {
  try {
    const v = JSON.parse(Deno.readTextFileSync(path));
    return v && typeof v.pid === "number" && typeof v.host === "string" ? v as LockInfo : null;
  } catch {
    return null;
  }
}

function describe(info: LockInfo | null): string {
  if (!info) return "another medprep run (its lock file is being written or is unreadable)";
  const shard = info.shard ? ` of shard ${info.shard}` : "";
  return `another medprep run${shard} (pid ${info.pid} on host ${info.host}, started ${info.started})`;
}

const refuse = (path: string, message: string) =>
  new ManifestError([{ path: "--out", message: `Cannot lock "${path}": ${message}` }]);

/** Whether two runs' lock scopes overlap: a whole run overlaps everything, shards of one N not. */
function overlaps(a: string, b: string): boolean {
  const ma = LOCK.exec(a), mb = LOCK.exec(b);
  if (!ma || !mb) return false;
  if (a === b || !ma[1] || !mb[1]) return true;
  return ma[2] !== mb[2];
}

/** What the entry `info` at `path` is when it cannot be a lock file medprep made, or undefined. */
function notALockFile(path: string, info: Deno.FileInfo): string | undefined {
  if (info.isSymlink) {
    let target = "";
    try {
      target = ` to "${Deno.readLinkSync(path)}"`;
    } catch { /* unreadable: the kind alone */ }
    return `it is a symbolic link${target}`;
  }
  if (info.isDirectory) return "it is a folder";
  if (!info.isFile) return "it is not a regular file (a FIFO, socket or device)";
  return undefined;
}

/**
 * Why the lock file `file` (opened, its OS lock taken: no live run holds it) may not be written,
 * or undefined. A second name is normal only while a live run makes its lock (aside, then
 * linked, both locked); one that nobody holds is another file's name (a user's hard link).
 */
function notWritable(file: Deno.FsFile): string | undefined {
  const nlink = file.statSync().nlink ?? 1;
  return nlink > 1 ? `it has ${nlink} hard links (the same file has another name)` : undefined;
}

/** Refuses (exit 2) when the existing `path` is not a plain lock file; false when absent. */
function assertLockFile(path: string): boolean {
  let info: Deno.FileInfo;
  try {
    info = Deno.lstatSync(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
  const what = notALockFile(path, info);
  if (what) {
    throw refuse(
      path,
      `${what}; medprep never opens a lock file through a link or of another kind: remove it ` +
        "and run again",
    );
  }
  return true;
}

/**
 * Removes the `.medprep-tmp-lock-…` names in `outDir` of the lock file `file` (nobody holds it):
 * what a run killed between linking its lock into place and removing the aside name leaves.
 */
function dropLeftAsides(outDir: string, file: Deno.FsFile): void {
  const opened = file.statSync();
  if ((opened.nlink ?? 1) < 2) return;
  for (const e of Deno.readDirSync(outDir)) {
    if (!e.isFile || !e.name.startsWith(".medprep-tmp-lock-")) continue;
    const aside = `${outDir}/${e.name}`;
    try {
      if (sameFile(Deno.lstatSync(aside), opened)) Deno.removeSync(aside);
    } catch { /* gone meanwhile */ }
  }
}

/**
 * Opens the lock file `path` (checked with lstat first) and takes its OS lock if nobody holds
 * it; null when somebody does. Throws when `path` changed between the check and the open (the
 * caller looks again), so the file returned is the regular file at `path`, never a link's target.
 */
function tryHold(path: string): Deno.FsFile | null {
  if (!assertLockFile(path)) throw new Deno.errors.NotFound(path);
  const file = Deno.openSync(path, { read: true, write: true });
  try {
    const opened = file.statSync();
    if (!opened.isFile || !sameFile(opened, Deno.lstatSync(path))) {
      throw new Error(`"${path}" changed while it was opened`);
    }
  } catch (e) {
    file.close();
    throw e;
  }
  try {
    if (file.tryLockSync(true)) return file;
  } catch {
    /* no file locks here: judged by the pid alone */
    return file;
  }
  file.close();
  return null;
}

function sameInode(file: Deno.FsFile, path: string): boolean {
  try {
    return sameFile(file.statSync(), Deno.lstatSync(path));
  } catch {
    return false;
  }
}

/** Exclusive create without hard links (some network file systems): null when it exists. */
function createInPlace(path: string, text: string): Deno.FsFile | null {
  let file: Deno.FsFile;
  try {
    file = Deno.openSync(path, { read: true, write: true, createNew: true });
  } catch (e) {
    if (e instanceof Deno.errors.AlreadyExists) return null;
    throw e;
  }
  try {
    file.tryLockSync(true);
  } catch { /* no file locks: the pid decides */ }
  file.writeSync(new TextEncoder().encode(text));
  return file;
}

/**
 * Takes the lock of this run in `outDir` (which exists).
 * @throws ManifestError (exit 2) when another live run holds it or an overlapping one
 */
export function acquireOutputLock(
  outDir: string,
  shard: Shard | null,
  options: { warn(line: string): void },
): OutputLock {
  const name = lockFileName(shard);
  const path = `${outDir}/${name}`;
  try {
    assertStillResolved(outDir);
  } catch (e) {
    throw new ManifestError([{ path: "--out", message: (e as Error).message }]);
  }
  const info: LockInfo = {
    pid: Deno.pid,
    host: hostName(),
    started: new Date().toISOString(),
    ...(shard ? { shard: `${shard.index}/${shard.count}` } : {}),
  };
  const text = JSON.stringify(info, null, 2) + "\n";
  let held: Deno.FsFile | null = null;
  for (let attempt = 0; attempt < 5 && !held; attempt++) {
    // Written aside and locked first, then linked: the lock appears complete and held.
    const aside = `${outDir}/.medprep-tmp-lock-${crypto.randomUUID()}`;
    const file = Deno.openSync(aside, { read: true, write: true, createNew: true });
    try {
      file.tryLockSync(true);
    } catch { /* no file locks: the pid decides */ }
    file.writeSync(new TextEncoder().encode(text));
    try {
      Deno.linkSync(aside, path);
      held = file;
    } catch (e) {
      file.close();
      if (!(e instanceof Deno.errors.AlreadyExists)) held = createInPlace(path, text);
    } finally {
      Deno.removeSync(aside);
    }
    if (held) break;
    if (!assertLockFile(path)) continue; // removed meanwhile: try again
    const other = readInfo(path);
    if (other && other.host !== info.host) {
      throw refuse(
        path,
        `a medprep run on host ${other.host} (pid ${other.pid}, started ${other.started}) ` +
          `holds it; if that run is no longer running, delete "${path}" and run again`,
      );
    }
    let candidate: Deno.FsFile | null;
    try {
      candidate = tryHold(path);
    } catch (e) {
      if (e instanceof ManifestError) throw e;
      continue; // removed or replaced meanwhile: look again
    }
    if (!candidate || (other && pidAlive(other.pid) === true)) {
      candidate?.close();
      throw refuse(
        path,
        `${describe(other)} is writing to this folder; wait for it to finish or choose ` +
          `another --out (runs sharing a folder need --shard I/N); if it is not running, ` +
          `delete "${path}"`,
      );
    }
    if (!sameInode(candidate, path)) {
      candidate.close(); // released and removed by its owner meanwhile: try again
      continue;
    }
    // A run killed between linking its lock and removing the aside name left both: that name
    // is medprep's own temporary file, so it goes and the lock has one name again.
    dropLeftAsides(outDir, candidate);
    const unwritable = notWritable(candidate);
    if (unwritable) {
      candidate.close();
      throw refuse(
        path,
        `${unwritable}; medprep never writes a lock file of another name: remove it and run again`,
      );
    }
    candidate.truncateSync(0);
    candidate.writeSync(new TextEncoder().encode(text));
    held = candidate;
    options.warn(
      `medprep: taking over the stale lock "${path}": ${
        other ? `its run (pid ${other.pid}, started ${other.started})` : "its run"
      } is no longer running`,
    );
  }
  if (!held) throw refuse(path, "it keeps changing; another run is starting here");
  const lock = held;
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    try {
      if (sameInode(lock, path)) Deno.removeSync(path);
    } catch { /* already gone */ }
    lock.close();
  };
  // Runs whose scope overlaps (a whole run and any shard, shards of another count).
  for (const e of Deno.readDirSync(outDir)) {
    if (e.name === name || !overlaps(e.name, name)) continue;
    try {
      if (!assertLockFile(`${outDir}/${e.name}`)) continue; // gone
    } catch (refusal) {
      release();
      throw refusal;
    }
    const other = readInfo(`${outDir}/${e.name}`);
    let live = other !== null && other.host !== info.host;
    if (!live) {
      try {
        const probe = tryHold(`${outDir}/${e.name}`);
        live = probe === null || (other !== null && pidAlive(other.pid) === true);
        probe?.close();
      } catch (error) {
        if (error instanceof ManifestError) {
          release();
          throw error;
        }
        /* gone or replaced meanwhile */
      }
    }
    if (live) {
      release();
      throw refuse(
        path,
        `${describe(other)} is writing to this folder ("${e.name}"); wait for it to finish ` +
          `or choose another --out`,
      );
    }
  }
  return { path, release, [Symbol.dispose]: release };
}
