/**
 * Whether a path a command is about to write or remove is one of its inputs — decided on the
 * file system, never on the text of the paths: two paths name the same file when they lead to
 * the same device and inode (through a symbolic link, a symlinked folder or a hard link), or,
 * where the system reports no inode, to the same real path. A path that does not exist yet is
 * no existing input. Every command that writes or removes files asks this before any work
 * (`run --force`, `restore`, `split`, `fingerprint --recipe-out`). Permissions: --allow-read.
 */

/**
 * Whether `a` and `b` describe the same file (device and inode; never where the system reports
 * no inode).
 */
export function sameFile(a: Deno.FileInfo, b: Deno.FileInfo): boolean {
  return a.ino !== null && a.ino === b.ino && a.dev === b.dev;
}

function identityOf(path: string): string | undefined {
  try {
    const st = Deno.statSync(path);
    if (st.ino !== null && st.dev !== null) return `${st.dev}:${st.ino}`;
    return `real:${Deno.realPathSync(path)}`;
  } catch {
    return undefined; // absent (or a dangling link): it is no existing file
  }
}

/** Looks up which input, if any, a path leads to. */
export interface InputFiles<T> {
  /** What `inputs` gave for the input `path` is the same file as, or undefined. */
  find(path: string): T | undefined;
}

/**
 * An index of `inputs` (path → what to report about it, e.g. the subject), built on the first
 * lookup of a path that exists, so a command that writes only new files stats no input.
 */
export function indexInputFiles<T>(inputs: Iterable<readonly [string, T]>): InputFiles<T> {
  let byIdentity: Map<string, T> | undefined;
  return {
    find(path: string): T | undefined {
      const target = identityOf(path);
      if (target === undefined) return undefined;
      if (!byIdentity) {
        byIdentity = new Map();
        for (const [input, value] of inputs) {
          const id = identityOf(input);
          if (id !== undefined && !byIdentity.has(id)) byIdentity.set(id, value);
        }
      }
      return byIdentity.get(target);
    },
  };
}

/**
 * The first of `inputs` that `path` is the same file as, or undefined (see the module comment).
 */
export function findSameFile(path: string, inputs: readonly string[]): string | undefined {
  return indexInputFiles(inputs.map((p) => [p, p] as const)).find(path);
}
