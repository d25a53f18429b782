/** Locates the two halves of an Analyze-style `.hdr`/`.img` pair (either half optionally gzipped). */
import { NiftiError } from "../errors.ts";

/** The header file, the image file, and whether they differ. */
export interface NiftiPaths {
  header: string;
  image: string;
  pair: boolean;
}

/** A file name without directory and without a .nii, .nii.gz, .hdr(.gz) or .img(.gz) extension. */
export function deriveStem(path: string): string {
  const base = path.split(/[/\\]/).pop() ?? path;
  return base.replace(/\.(nii|hdr|img)(\.gz)?$/i, "");
}

const PAIR = /^(.*)\.(hdr|img)(\.gz)?$/i;

function exists(path: string): boolean {
  try {
    Deno.statSync(path); // any kind: a FIFO half is refused when opened, not reported missing
    return true;
  } catch {
    return false;
  }
}

/** Every name the other half of a `.hdr`/`.img` pair of `path` may have (empty for single files). */
export function pairPartnerCandidates(path: string): string[] {
  const m = PAIR.exec(path);
  if (!m) return [];
  const [, stem, ext, gz = ""] = m;
  const upper = ext === ext.toUpperCase();
  const other = ext.toLowerCase() === "hdr" ? (upper ? "IMG" : "img") : (upper ? "HDR" : "hdr");
  return [`${stem}.${other}${gz}`, `${stem}.${other}${gz ? "" : (upper ? ".GZ" : ".gz")}`];
}

/**
 * Resolves `path` to its header and image file: `x.hdr[.gz]` ↔ `x.img[.gz]`, preferring the
 * same compression and letter case; any other name is a single file.
 * @throws NiftiError when the other half of a pair is missing
 */
export function resolveNiftiPaths(path: string): NiftiPaths {
  const m = PAIR.exec(path);
  if (!m) return { header: path, image: path, pair: false };
  const isHeader = m[2].toLowerCase() === "hdr";
  const candidates = pairPartnerCandidates(path);
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
