/**
 * Confinement to `--out`: the output folder is resolved once (realpath), and nothing is ever
 * written or deleted outside it or through a symbolic link inside it. Every path the main
 * process creates or removes goes through these checks, whatever the output planner said.
 * Permissions: --allow-read, --allow-write (the output folder).
 */
import { isAbsolute, normalize, resolve } from "node:path";
import type { Issue } from "../errors.ts";

/**
 * The real, absolute path of the output folder `path` (symlinks of its existing part
 * resolved); the part that does not exist yet is appended as given. Creates nothing.
 */
export function resolveOutDir(path: string): string {
  let existing = resolve(path);
  const rest: string[] = [];
  for (;;) {
    try {
      return [Deno.realPathSync(existing), ...rest].join("/");
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound) || existing === "/") throw e;
      const slash = existing.lastIndexOf("/");
      rest.unshift(existing.slice(slash + 1));
      existing = existing.slice(0, Math.max(1, slash));
    }
  }
}

const STOPPED = "medprep writes and removes nothing more there";

/** `--out` no longer leads to the folder the run resolved: nothing more may be written there. */
export class OutDirMovedError extends Error {
  override name = "OutDirMovedError";
}

/**
 * Throws OutDirMovedError unless `outDir` (from `resolveOutDir`, created since) is still its
 * own real path: a link put in its place meanwhile would redirect every write. Deno has no
 * openat, so this is a check-then-act: it runs right before each write or removal of the main
 * process, which leaves the window between the check and that one system call.
 */
export function assertStillResolved(outDir: string): void {
  let real: string;
  try {
    real = Deno.realPathSync(outDir);
  } catch (e) {
    const why = e instanceof Deno.errors.NotFound ? "it no longer exists" : (e as Error).message;
    throw new OutDirMovedError(`Cannot write to "${outDir}" (--out): ${why}; ${STOPPED}`);
  }
  if (real !== outDir) {
    throw new OutDirMovedError(
      `Cannot write to "${outDir}" (--out): it now leads to "${real}" (a symbolic link was ` +
        `put in its place); ${STOPPED}`,
    );
  }
}

/**
 * A check to call before each write or removal in `outDir` (resolved and existing): it throws
 * OutDirMovedError once `outDir` leads elsewhere (`assertStillResolved`) or is another folder
 * than now (moved away and a new one made at its name). One realpath and one stat per call.
 */
export function createOutDirGuard(outDir: string): () => void {
  assertStillResolved(outDir);
  const first = Deno.statSync(outDir);
  return () => {
    assertStillResolved(outDir);
    let now: Deno.FileInfo | null = null;
    try {
      now = Deno.statSync(outDir);
    } catch { /* gone since the realpath */ }
    if (!now || now.ino !== first.ino || now.dev !== first.dev) {
      throw new OutDirMovedError(
        `Cannot write to "${outDir}" (--out): it is no longer the folder this run started in ` +
          `(moved or replaced); ${STOPPED}`,
      );
    }
  };
}

/** Why `rel` (relative to the output folder) does not name a file inside it, or undefined. */
export function escapeReason(rel: string): string | undefined {
  if (rel === "" || isAbsolute(rel)) return "it is not a relative name";
  if (rel.split("/").some((s) => s === ".." || s === "." || s === "")) {
    return "it is outside the output folder (a `.` or `..` segment, or an empty one)";
  }
  if (normalize(rel) !== rel) return "it is not a plain relative name";
  return undefined;
}

function lstatOrNull(path: string): Deno.FileInfo | null {
  try {
    return Deno.lstatSync(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
}

/**
 * The first existing folder on the way from `outDir` to `rel` that is a symbolic link (or not
 * a folder), as an absolute path, with what it is; undefined when the way is clear.
 */
export function findLinkOnPath(
  outDir: string,
  rel: string,
): { path: string; what: string } | undefined {
  const parts = rel.split("/");
  let at = outDir;
  for (let i = 0; i < parts.length - 1; i++) {
    at = `${at}/${parts[i]}`;
    const info = lstatOrNull(at);
    if (!info) return undefined; // the rest will be created by this run
    if (info.isSymlink) return { path: at, what: "is a symbolic link" };
    if (!info.isDirectory) return { path: at, what: "is a file, not a folder" };
  }
  return undefined;
}

/**
 * Throws unless `rel` names a file inside `outDir` reached without any symbolic link, and
 * `outDir` is still its resolved real path (else OutDirMovedError).
 */
export function assertConfined(outDir: string, rel: string): void {
  assertStillResolved(outDir);
  const why = escapeReason(rel);
  if (why) throw new Error(`Cannot write "${outDir}/${rel}": ${why}`);
  const link = findLinkOnPath(outDir, rel);
  if (link) {
    throw new Error(
      `Cannot write "${outDir}/${rel}": "${link.path}" ${link.what}; medprep never writes ` +
        "through a link inside the output folder",
    );
  }
}

/** Pre-flight: every planned output name must stay inside `outDir`, through no link. */
export function findConfinementIssues(
  outDir: string,
  outputs: readonly { path: string; row: number; id: string }[],
  file?: string,
): Issue[] {
  const issues: Issue[] = [];
  const reported = new Set<string>();
  for (const o of outputs) {
    const why = escapeReason(o.path);
    const link = why ? undefined : findLinkOnPath(outDir, o.path);
    const message = why
      ? `Cannot write "${o.path}" (subject "${o.id}"): ${why}, which medprep never writes`
      : link
      ? `Cannot write "${o.path}" (subject "${o.id}"): "${link.path}" ${link.what}; medprep ` +
        "never writes through a link inside the output folder: remove it or choose another --out"
      : undefined;
    if (!message || reported.has(link?.path ?? o.path)) continue;
    reported.add(link?.path ?? o.path);
    issues.push({ file, path: `row ${o.row}`, message });
  }
  return issues;
}

/**
 * Creates the folders of `rel` below `outDir` one level at a time, refusing links; returns the
 * folders it created (deepest last), so a failed publish can remove exactly those.
 */
export function createParents(outDir: string, rel: string): string[] {
  assertConfined(outDir, rel);
  const created: string[] = [];
  const parts = rel.split("/");
  let at = outDir;
  for (let i = 0; i < parts.length - 1; i++) {
    at = `${at}/${parts[i]}`;
    try {
      Deno.mkdirSync(at);
      created.push(at);
    } catch (e) {
      if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
      const info = Deno.lstatSync(at);
      if (!info.isDirectory || info.isSymlink) {
        throw new Error(
          `Cannot write "${outDir}/${rel}": "${at}" is not a folder; medprep never writes ` +
            "through a link inside the output folder",
        );
      }
    }
  }
  return created;
}

/**
 * Removes `path` only when it lies inside `outDir` (lexically), `outDir` is still its resolved
 * real path and no folder on the way is a symbolic link; a link at `path` itself is removed as
 * a link, never followed.
 * @returns true when something was removed
 */
export function removeConfined(
  outDir: string,
  path: string,
  options: { recursive?: boolean } = {},
): boolean {
  if (!path.startsWith(`${outDir}/`)) return false;
  try {
    assertStillResolved(outDir);
  } catch {
    return false; // --out was moved or replaced by a link: nothing there is this run's
  }
  const rel = path.slice(outDir.length + 1);
  if (escapeReason(rel) || findLinkOnPath(outDir, rel)) return false;
  const info = lstatOrNull(path);
  if (!info) return false;
  try {
    Deno.removeSync(path, { recursive: (options.recursive ?? false) && info.isDirectory });
    return true;
  } catch {
    return false; // not empty (a folder), or gone meanwhile
  }
}
