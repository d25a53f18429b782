/**
 * Git state of a recipe file for provenance: the repository's HEAD commit and whether the
 * file has uncommitted changes. Needs `--allow-run=git`; without it (or outside a repository)
 * the answer is null.
 */
import type { GitRecord } from "./types.ts";

async function git(cwd: string, args: string[]): Promise<string | null> {
  try {
    const out = await new Deno.Command("git", {
      args: ["-C", cwd, ...args],
      stdout: "piped",
      stderr: "null",
      env: { GIT_OPTIONAL_LOCKS: "0" },
    }).output();
    return out.success ? new TextDecoder().decode(out.stdout) : null;
  } catch {
    return null; // git missing or not permitted
  }
}

/**
 * Commit of the repository whose top level is exactly `root`, dirty when anything under
 * `paths` differs from it; null when `root` is not a repository's top (e.g. a tarball
 * unpacked inside another repository) or git is unavailable.
 */
export async function readRepoGitInfo(root: string, paths: string[]): Promise<GitRecord | null> {
  // The three questions do not depend on each other: asked at once (each is a process start).
  const [top, commit, status] = await Promise.all([
    git(root, ["rev-parse", "--show-toplevel"]).then((t) => t?.trim()),
    git(root, ["rev-parse", "--verify", "-q", "HEAD"]).then((c) => c?.trim()),
    git(root, ["status", "--porcelain", "--untracked-files=all", "--", ...paths]),
  ]);
  if (
    !top ||
    (await Deno.realPath(top).catch(() => top)) !== (await Deno.realPath(root).catch(() => root))
  ) {
    return null;
  }
  if (!commit || status === null) return null;
  return { commit, dirty: status.trim() !== "" };
}

/** Commit and dirty flag of `file`'s repository, or null when it is not in one. */
export async function readGitInfo(file: string): Promise<GitRecord | null> {
  const slash = file.lastIndexOf("/");
  const dir = slash > 0 ? file.slice(0, slash) : ".";
  const name = file.slice(slash + 1);
  const [commit, status] = await Promise.all([
    git(dir, ["rev-parse", "--verify", "-q", "HEAD"]).then((c) => c?.trim()),
    git(dir, ["status", "--porcelain", "--untracked-files=all", "--", name]),
  ]);
  if (!commit || status === null) return null;
  return { commit, dirty: status.trim() !== "" };
}
