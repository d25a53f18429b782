import { join, resolve } from "node:path";

/** True when `text` contains glob syntax (`*`, `?`, `[`). */
export function isGlob(text: string): boolean {
  return /[*?[]/.test(text);
}

/** A regular expression for one path segment: `*`, `?` and `[abc]` / `[!abc]` classes. */
export function segmentToRegExp(segment: string): RegExp {
  let re = "";
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i];
    if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "[") {
      const close = segment.indexOf("]", i + 2);
      if (close < 0) re += "\\[";
      else {
        let body = segment.slice(i + 1, close);
        if (body.startsWith("!")) body = "^" + body.slice(1);
        re += `[${body.replace(/\\/g, "\\\\")}]`;
        i = close;
      }
    } else re += c.replace(/[.+^${}()|\\\]]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

async function entries(dir: string): Promise<Deno.DirEntry[]> {
  try {
    const out: Deno.DirEntry[] = [];
    for await (const e of Deno.readDir(dir)) out.push(e);
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch {
    return [];
  }
}

async function walk(dir: string, parts: string[], out: Set<string>): Promise<void> {
  if (parts.length === 0) return;
  const [head, ...rest] = parts;
  if (head === "**") {
    await walk(dir, rest, out);
    for (const e of await entries(dir)) {
      if (e.isDirectory && !e.name.startsWith(".")) await walk(join(dir, e.name), parts, out);
    }
    return;
  }
  if (!isGlob(head)) {
    const path = join(dir, head);
    if (rest.length) return walk(path, rest, out);
    try {
      if ((await Deno.stat(path)).isFile) out.add(path);
    } catch { /* no such file */ }
    return;
  }
  const re = segmentToRegExp(head);
  for (const e of await entries(dir)) {
    if (!re.test(e.name) || (e.name.startsWith(".") && !head.startsWith("."))) continue;
    const path = join(dir, e.name);
    if (rest.length) {
      if (e.isDirectory || e.isSymlink) await walk(path, rest, out);
    } else if (e.isFile || (e.isSymlink && (await Deno.stat(path).catch(() => null))?.isFile)) {
      out.add(path);
    }
  }
}

/**
 * Absolute paths of the files matching `pattern` (`*`, `?`, `**`, `[abc]`), relative to `cwd`,
 * sorted; names starting with a dot only match a pattern segment starting with a dot.
 */
export async function expandGlob(pattern: string, cwd = Deno.cwd()): Promise<string[]> {
  const absolute = resolve(cwd, pattern);
  const parts = absolute.split("/").filter((p) => p !== "");
  const out = new Set<string>();
  await walk("/", parts, out);
  return [...out].sort();
}
