/**
 * medprep's own identity for provenance: a sha256 over its source files (`src/**\/*.ts` and
 * `deno.lock`, sorted by relative path), computed once per process. It needs no git, so it
 * also works from a tarball; `--resume` rebuilds a subject when it changed.
 * Permissions: --allow-read on medprep's own directory.
 */
import { createHash } from "node:crypto";
import type { SourceRecord } from "./types.ts";

const ROOT = new URL("../../", import.meta.url);

async function listTypeScript(dir: string, rel: string, out: string[]): Promise<void> {
  for await (const e of Deno.readDir(`${dir}/${rel}`)) {
    const path = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory) await listTypeScript(dir, path, out);
    else if (e.isFile && e.name.endsWith(".ts")) out.push(path);
  }
}

/**
 * The source record of the medprep tree at `root` (a directory holding `src/` and, when
 * present, `deno.lock`): each file contributes its relative path, its length and its bytes.
 */
export async function hashSourceTree(root: string): Promise<SourceRecord> {
  const files: string[] = [];
  await listTypeScript(root, "src", files);
  try {
    if ((await Deno.stat(`${root}/deno.lock`)).isFile) files.push("deno.lock");
  } catch { /* no lockfile */ }
  files.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const hash = createHash("sha256");
  for (const rel of files) {
    const bytes = await Deno.readFile(`${root}/${rel}`);
    hash.update(`${rel}\0${bytes.length}\0`).update(bytes);
  }
  return { sha256: hash.digest("hex"), files: files.length };
}

let cached: Promise<SourceRecord | null> | undefined;

/**
 * The source record of the running medprep (once per process), or null when its files cannot
 * be read (not loaded from a file system, or no read permission).
 */
export function readMedprepSource(): Promise<SourceRecord | null> {
  if (ROOT.protocol !== "file:") return Promise.resolve(null);
  cached ??= hashSourceTree(decodeURIComponent(ROOT.pathname).replace(/\/$/, "")).catch(() => null);
  return cached;
}

/** medprep's own directory (where `src/` is), for asking git about it. */
export function medprepRoot(): string | null {
  return ROOT.protocol === "file:" ? decodeURIComponent(ROOT.pathname).replace(/\/$/, "") : null;
}
