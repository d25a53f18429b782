/**
 * The names a run writes at the top of `--out` itself — provenance files (per shard, of a
 * replay) and their journals, the output manifest, dataset.json, report.html, the dataset
 * statistics (and fingerprint's partial files), lock, staging and temporary files (all
 * `.medprep…`). No output may take one, compared as a case-insensitive file system would: the
 * run would overwrite it, or it the output. tests/recipe/reserved_names_test.ts checks every
 * function that makes one of these names against this list.
 */

const RESERVED: readonly RegExp[] = [
  /^provenance(\..+)?\.json$/, // provenance.json, .shard-I-of-N.json, .replay-ID-copyK.json
  /^provenance(\..+)?\.journal\.jsonl$/,
  /^manifest(\..+)?\.csv$/,
  /^dataset(\..+)?\.json$/,
  /^report(\..+)?\.html$/,
  /^dataset-stats(\..+)?\.json$/,
  /^\.medprep/,
];

/**
 * The run-level name that output path `path` (relative, `/`-separated) would take or hide —
 * its first segment, as a file or as the folder holding it — or undefined when it is free.
 */
export function reservedNameOf(path: string): string | undefined {
  const first = path.split("/")[0];
  const key = first.normalize("NFC").toLowerCase();
  return RESERVED.some((r) => r.test(key)) ? first : undefined;
}
