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
