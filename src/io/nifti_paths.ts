/** Locates the two halves of an Analyze-style `.hdr`/`.img` pair (either half optionally gzipped). */
import { NiftiError } from "../errors.ts";

/** The header file, the image file, and whether they differ. */
export interface NiftiPaths {
  header: string;
  image: string;
  pair: boolean;
}

const PAIR = /^(.*)\.(hdr|img)(\.gz)?$/i;

function exists(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

/**
 * Resolves `path` to its header and image file: `x.hdr[.gz]` ↔ `x.img[.gz]`, preferring the
 * same compression and letter case; any other name is a single file.
 * @throws NiftiError when the other half of a pair is missing
 */
export function resolveNiftiPaths(path: string): NiftiPaths {
  const m = PAIR.exec(path);
  if (!m) return { header: path, image: path, pair: false };
  const [, stem, ext, gz = ""] = m;
  const isHeader = ext.toLowerCase() === "hdr";
  const upper = ext === ext.toUpperCase();
  const other = isHeader ? (upper ? "IMG" : "img") : (upper ? "HDR" : "hdr");
  const otherGz = gz ? "" : (upper ? ".GZ" : ".gz");
  const candidates = [`${stem}.${other}${gz}`, `${stem}.${other}${otherGz}`];
  const found = candidates.find(exists);
  if (!found) {
    if (!exists(path)) return { header: path, image: path, pair: true }; // reported on open
    throw new NiftiError(
      path,
      `the ${isHeader ? "image" : "header"} half of the pair is missing (looked for ${
        candidates.map((c) => `"${c}"`).join(", ")
      })`,
    );
  }
  return isHeader
    ? { header: path, image: found, pair: true }
    : { header: found, image: path, pair: true };
}
