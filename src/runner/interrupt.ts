/**
 * Ctrl-C / SIGTERM handling for a run: the first signal calls `onSignal` (stop dispatching,
 * terminate workers, then write provenance and exit 130); listeners are removed by `dispose`.
 */
import { removeConfined } from "./confine.ts";
import { sameFile } from "./same_file.ts";

/** Signals that interrupt a run (SIGTERM only where the platform has it). */
const SIGNALS: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];

/** Listens for SIGINT/SIGTERM; returns a function that stops listening. */
export function listenForInterrupt(onSignal: (signal: Deno.Signal) => void): () => void {
  let fired = false;
  const handlers = SIGNALS.map((signal) => {
    const handler = () => {
      if (fired) return;
      fired = true;
      onSignal(signal);
    };
    Deno.addSignalListener(signal, handler);
    return [signal, handler] as const;
  });
  return () => {
    for (const [signal, handler] of handlers) Deno.removeSignalListener(signal, handler);
  };
}

/**
 * Removes the run's staging folder until a pass finds nothing: a terminated worker thread may
 * still finish a native call (a gzip pass, a write) shortly after `terminate()`, so one sweep
 * is not enough. Nothing else is touched — never a final name (outputs are published by the
 * main thread only when complete) — so other runs and shards in the same folder are safe.
 */
export async function sweepUntilClean(
  outDir: string,
  stagingDir: string,
  options: { pauseMs?: number; cleanPasses?: number; maxPasses?: number } = {},
): Promise<void> {
  const pause = options.pauseMs ?? 100, needClean = options.cleanPasses ?? 3;
  const max = options.maxPasses ?? 50;
  for (let pass = 0, clean = 0; pass < max; pass++) {
    const removed = removeConfined(outDir, stagingDir, { recursive: true });
    clean = removed ? 0 : clean + 1;
    if (clean >= needClean || pass + 1 >= max) return;
    await new Promise((r) => setTimeout(r, pause));
  }
}

function hostName(): string {
  try {
    return Deno.hostname().replace(/[^\w.-]/g, "_");
  } catch {
    return "host"; // no --allow-sys
  }
}

const STAGING_PREFIX = ".medprep-tmp-run-";

/** This run's staging directory, held by an exclusive lock on `<dir>/.lock` while it runs. */
export interface Staging {
  dir: string;
  /** Drops the lock (the directory itself is removed by `sweepUntilClean`). */
  release(): void;
}

/** Where a staging directory is made and locked before it gets its name (never swept). */
const NEW_PREFIX = ".medprep-tmp-new-";

/**
 * Creates `<outDir>/.medprep-tmp-run-<host>-<random>/` and locks it. The lock (flock) is
 * released by the OS when the process dies, which is how `removeStaleStaging` tells a
 * killed run's leftovers from a live run's. The directory is made and its lock taken under
 * another name first, then renamed (the lock stays with the open file): a run starting at the
 * same moment in the same folder (shards) never sees it with an unlocked lock file and removes
 * it as stale. A kill between the mkdir and the rename leaves an empty `.medprep-tmp-new-…`,
 * which `removeStaleStaging` removes once it is an hour old.
 */
export async function createStaging(outDir: string): Promise<Staging> {
  const name = `${hostName()}-${crypto.randomUUID().slice(0, 8)}`;
  const fresh = `${outDir}/${NEW_PREFIX}${name}`;
  const dir = `${outDir}/${STAGING_PREFIX}${name}`;
  await Deno.mkdir(fresh, { recursive: true });
  const lock = await Deno.open(`${fresh}/.lock`, { write: true, create: true });
  try {
    await lock.lock(true);
    await Deno.rename(fresh, dir);
  } catch (e) {
    lock.close();
    removeConfined(outDir, fresh, { recursive: true }); // made just now by this run
    throw e;
  }
  return {
    dir,
    release: () => {
      try {
        lock.close();
      } catch { /* already closed */ }
    },
  };
}

/** The random part of a staging directory's name: 8 lowercase hex digits (`createStaging`). */
const RANDOM_PART = /^[0-9a-f]{8}$/;

/**
 * Removes staging directories left in `outDir` by runs on this host that were killed
 * (SIGKILL, power loss): nobody holds their lock any more. Directories of live runs and of
 * other hosts (shards on other nodes; file locks are not trusted across hosts) are left alone.
 * Also removes the empty `.medprep-tmp-new-…` of a run killed while creating its staging dir.
 *
 * Only what looks exactly like medprep's own is swept (a user's `.medprep-tmp-run-<host>-backup/`
 * is not): the name `.medprep-tmp-run-<this host>-<8 hex digits>`, the folder itself not a link,
 * holding a `.lock` that is a regular file (never opened through a link) nobody holds, and
 * otherwise only regular files — a staging folder never holds a folder or a link. Its files are
 * then removed one by one and the folder last (not recursively): whatever appears meanwhile
 * stays, and so does the folder.
 */
export async function removeStaleStaging(outDir: string): Promise<number> {
  const prefix = `${STAGING_PREFIX}${hostName()}-`;
  const newPrefix = `${NEW_PREFIX}${hostName()}-`;
  let removed = 0;
  try {
    for await (const e of Deno.readDir(outDir)) {
      if (e.isDirectory && e.name.startsWith(newPrefix)) {
        if (await removeAbandonedNew(outDir, `${outDir}/${e.name}`)) removed++;
        continue;
      }
      if (!e.isDirectory || !e.name.startsWith(prefix)) continue;
      if (!RANDOM_PART.test(e.name.slice(prefix.length))) continue; // not a name medprep makes
      if (await removeDeadStaging(outDir, `${outDir}/${e.name}`)) removed++;
    }
  } catch { /* no output directory yet */ }
  return removed;
}

/**
 * Opens `path` for locking only when it is a regular file with one name, and the file opened is
 * the one lstat saw (Deno cannot open without following links); null otherwise.
 */
async function openLockFile(path: string): Promise<Deno.FsFile | null> {
  let lock: Deno.FsFile;
  try {
    const seen = await Deno.lstat(path);
    if (!seen.isFile || (seen.nlink ?? 1) > 1) return null;
    lock = await Deno.open(path, { write: true });
  } catch {
    return null; // being created right now, or gone
  }
  try {
    const [opened, now] = [await lock.stat(), await Deno.lstat(path)];
    if (sameFile(opened, now)) return lock;
  } catch { /* gone meanwhile */ }
  lock.close();
  return null;
}

/** Removes the staging dir `dir` of a dead run of this host (see `removeStaleStaging`). */
async function removeDeadStaging(outDir: string, dir: string): Promise<boolean> {
  try {
    if (!(await Deno.lstat(dir)).isDirectory) return false;
    const files: string[] = [];
    for await (const e of Deno.readDir(dir)) {
      const info = await Deno.lstat(`${dir}/${e.name}`);
      if (!info.isFile) return false; // a folder or a link: not what medprep puts there
      if (e.name !== ".lock") files.push(`${dir}/${e.name}`);
    }
    const lock = await openLockFile(`${dir}/.lock`);
    if (!lock) return false; // no lock yet (being created), or not a plain file: not ours
    try {
      if (!(await lock.tryLock(true))) return false; // a live run holds it
      for (const f of files) removeConfined(outDir, f);
      removeConfined(outDir, `${dir}/.lock`);
    } finally {
      lock.close();
    }
    return removeConfined(outDir, dir); // not empty when something appeared meanwhile: kept
  } catch {
    return false; // gone meanwhile, or unreadable: left alone
  }
}

/**
 * A `.medprep-tmp-new-` dir older than this was abandoned: a live start holds it for a few
 * system calls (mkdir, create the lock file, lock it, rename). An hour leaves room for clocks
 * of network file systems that differ from this host's.
 */
const ABANDONED_AFTER_MS = 60 * 60_000;

/**
 * Removes `dir` (a `.medprep-tmp-new-…` of this host) when it holds nothing but an unlocked
 * `.lock` (or nothing) and neither changed for `ABANDONED_AFTER_MS`; true when removed. Nothing
 * is removed recursively: a dir with any other entry is left as it is.
 */
async function removeAbandonedNew(outDir: string, dir: string): Promise<boolean> {
  const oldEnough = (info: Deno.FileInfo) =>
    info.mtime !== null && Date.now() - info.mtime.getTime() >= ABANDONED_AFTER_MS;
  try {
    const names: string[] = [];
    for await (const e of Deno.readDir(dir)) names.push(e.name);
    if (names.some((n) => n !== ".lock") || !oldEnough(await Deno.lstat(dir))) return false;
    if (names.length === 0) return removeConfined(outDir, dir);
    const lockPath = `${dir}/.lock`;
    const info = await Deno.lstat(lockPath);
    if (!info.isFile || !oldEnough(info)) return false;
    const lock = await openLockFile(lockPath);
    if (!lock) return false;
    try {
      if (!(await lock.tryLock(true))) return false; // a start is (still) holding it
      if (!removeConfined(outDir, lockPath)) return false;
    } finally {
      lock.close();
    }
    return removeConfined(outDir, dir);
  } catch {
    return false; // gone meanwhile, or unreadable: left alone
  }
}
