/** The manifest data model: subjects, their roles and rows (SPEC §7). */

/** A metadata cell (SPEC §7): text from CSV/TSV, a JSON scalar from JSON manifests. */
export type MetadataValue = string | number | boolean;

/** One subject of a manifest. */
export interface ManifestRow {
  id: string;
  /** 1-based line (CSV, TSV, JSON Lines) or entry number (JSON, MSD, glob) for messages. */
  row: number;
  /** Role → absolute path; roles with empty cells are omitted. */
  paths: Record<string, string>;
  /** Metadata column → value (columns naming no NIfTI file; empty cells omitted). */
  metadata?: Record<string, MetadataValue>;
}

/** A validated list of subjects (SPEC §7). */
export interface Manifest {
  source: string;
  kind: "csv" | "tsv" | "json" | "jsonl" | "msd" | "glob";
  /** Every role some row has a path for, in column order. */
  roles: string[];
  /** Columns naming no NIfTI file (`split`, `age`, `site`): never opened, carried into provenance. */
  metadata: string[];
  rows: ManifestRow[];
}
