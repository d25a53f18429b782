/**
 * What a subject's input files contribute to its record and outputs: the digests of the bytes
 * read (a pair's other half as `pairedFile`) and the widest permissions an output may get.
 */
import type { FileDigest } from "../nifti/byte_stream.ts";
import type { InputRecord } from "../provenance/types.ts";

/** The path/sha256/pairedFile part of an input record, from the digests of one read. */
export function inputRecordFiles(
  path: string,
  files: readonly FileDigest[],
): Pick<InputRecord, "path" | "sha256" | "pairedFile"> {
  const own = files.find((f) => f.path === path) ?? files[0];
  if (!own) throw new Error(`Cannot record input "${path}": it was not read through the runner`);
  const other = files.find((f) => f !== own);
  return {
    path,
    sha256: own.sha256,
    ...(other ? { pairedFile: { path: other.path, sha256: other.sha256 } } : {}),
  };
}

/**
 * Mode of a new output: the permission bits (rw only) every input has, so a 0600 input never
 * becomes a 0644 output; 0o666 (the umask narrows it) when no input told its mode.
 */
export function outputMode(modes: readonly (number | null)[]): number {
  return modes.reduce<number>((m, x) => x === null ? m : m & x, 0o666) & 0o666;
}
