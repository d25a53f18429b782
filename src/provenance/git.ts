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

/** Commit and dirty flag of `file`'s repository, or null when it is not in one. */
export async function readGitInfo(file: string): Promise<GitRecord | null> {
  const slash = file.lastIndexOf("/");
  const dir = slash > 0 ? file.slice(0, slash) : ".";
  const name = file.slice(slash + 1);
  const commit = (await git(dir, ["rev-parse", "--verify", "-q", "HEAD"]))?.trim();
  if (!commit) return null;
  const status = await git(dir, ["status", "--porcelain", "--untracked-files=all", "--", name]);
  if (status === null) return null;
  return { commit, dirty: status.trim() !== "" };
}
