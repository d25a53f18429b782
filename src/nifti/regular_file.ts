/**
 * Inputs must be regular files: opening a FIFO blocks until a writer appears (forever), and a
 * device or folder is never an image. Checked with stat (symlinks followed) before opening.
 */

/** Why `info` is not a regular file (`not a regular file (a FIFO)`), or undefined. */
export function describeNonRegular(info: Deno.FileInfo): string | undefined {
  if (info.isFile) return undefined;
  const kind = info.isDirectory
    ? "a directory"
    : info.isFifo
    ? "a FIFO"
    : info.isCharDevice || info.isBlockDevice
    ? "a device"
    : info.isSocket
    ? "a socket"
    : "not a file";
  return `not a regular file (${kind})`;
}

/**
 * Regular files this thread has just checked (path → size), so that the planning of a run —
 * the manifest check, then the header reads and the disk-space estimate — stats each input once
 * instead of three times (issue 15.3c: 100,000-row manifests). Only the thread that checked
 * uses it; workers check again for themselves.
 */
const checked = new Map<string, number>();

/** Stats `path` (symlinks followed) and remembers it when it is a regular file. */
export function statChecked(path: string): Deno.FileInfo {
  const info = Deno.statSync(path);
  if (info.isFile) checked.set(path, info.size);
  return info;
}

/** The size `statChecked` saw for `path` when it was a regular file, else undefined. */
export function checkedSize(path: string): number | undefined {
  return checked.get(path);
}

/** Forgets every checked file (the next run of the same process stats them again). */
export function forgetChecked(): void {
  checked.clear();
}
