/**
 * Provenance record types (SPEC §9): what `<out>/provenance.json` holds. Everything here is
 * plain data (it crosses the worker boundary and is written as JSON).
 */
import type { DatasetContribution } from "../steps/dataset_stats.ts";
import type { Affine } from "../volume/affine.ts";

/** Grid of one volume: shape, frames, spacing (column norms) and affine. */
export interface GeometryRecord {
  shape: [number, number, number];
  frames: number;
  spacing: [number, number, number];
  affine: number[][];
}

/** One input file of a subject. */
export interface InputRecord extends GeometryRecord {
  role: string;
  label: boolean;
  path: string;
  sha256: string;
  /** The other half of a `.hdr`/`.img` pair (its bytes are an input too). */
  pairedFile?: { path: string; sha256: string };
  dtype: string;
  /** NaN voxels replaced by 0 (`load: { nan: zero }`). */
  nanReplaced?: number;
}

/** One role's grid and storage type after a step. */
export interface ItemRecord extends GeometryRecord {
  role: string;
  dtype: string;
}

/** One applied step (per copy after an augmentation fork). */
export interface StepEntry {
  index: number;
  name: string;
  copy: number;
  /** Derived seed (SPEC §5): hash of (run seed, subject id, step index, copy). */
  seed: number;
  /** Resolved params (defaults filled in). */
  params: Record<string, unknown>;
  /** Statistics used and values drawn, as returned by the step. */
  record: Record<string, unknown>;
  items: ItemRecord[];
  ms: number;
}

/** One written file. */
export interface OutputRecord {
  role: string;
  copy: number;
  /** Path relative to the output directory. */
  path: string;
  sha256: string;
  /** Bytes in the file (checked by `--resume` with the sha256). */
  size: number;
  dtype: string;
  /** Why the stored type is what it is (SPEC §2 rule). */
  dtypeReason: string;
  /** Voxels clamped into the stored type's range. */
  clamped: number;
  /** Set on a preview picture (`save: { preview: true }`): the output path it shows. */
  previewOf?: string;
  /** A file holding several roles (npz): its array names, in order. */
  arrays?: string[];
  /** A sidecar (JSON metadata): the path of the file it describes. */
  sidecarOf?: string;
}

/** Where and why a subject failed. */
export interface ErrorRecord {
  /** Step index (-1 when the failure was not inside a step, e.g. a crashed worker). */
  step: number;
  name: string;
  message: string;
}

/** Outcome of one subject. `pending` = never started (interrupted run). */
export type SubjectStatus = "done" | "failed" | "interrupted" | "pending";

/** Everything recorded about one subject. */
export interface SubjectRecord {
  id: string;
  /** 1-based manifest row (data rows, header excluded where the manifest has one). */
  row: number;
  status: SubjectStatus;
  /** Metadata columns of the manifest row (SPEC §7), when it has any. */
  metadata?: Record<string, string | number | boolean>;
  inputs: InputRecord[];
  /** Files steps read besides the inputs (a `reference` grid), with the sha256 of their bytes. */
  files?: { path: string; sha256: string }[];
  steps: StepEntry[];
  outputs: OutputRecord[];
  warnings: string[];
  error?: ErrorRecord;
  /**
   * Statistics pass only (never written to provenance): what this subject contributes to the
   * dataset statistics of the steps the pass collects, by step index (steps/dataset_stats.ts).
   */
  contributions?: Record<string, DatasetContribution>;
}

/** A recipe after validation, as recorded and compared by `--resume`. */
export interface ResolvedRecipe {
  version: number;
  name: string;
  seed: number;
  steps: { step: string; params: Record<string, unknown> }[];
}

/** Git state of a file (the recipe) or of medprep's own tree, when in a repository. */
export interface GitRecord {
  commit: string;
  /** True when the file(s) differ from the commit (or are untracked). */
  dirty: boolean;
}

/** medprep's own sources: sha256 over `src/**\/*.ts` + `deno.lock` (sorted paths). */
export interface SourceRecord {
  sha256: string;
  /** How many files were hashed. */
  files: number;
}

/** The tool that wrote a provenance file, with what identifies its code. */
export interface ToolRecord {
  name: string;
  version: string;
  /** medprep's git commit (dirty: uncommitted changes under src/ or deno.lock), when known. */
  git?: GitRecord | null;
  /** sha256 of medprep's sources; null when they could not be read. */
  source?: SourceRecord | null;
}

/** Which part of the subjects a `--shard` run processed. */
export interface ShardRecord {
  /** 1-based shard index. */
  index: number;
  count: number;
  /** Every subject id this shard was assigned (merge checks the union). */
  assigned: string[];
  /** Ids of the whole manifest (merge reports ids no shard covered). */
  all: string[];
}

/** A run-level file medprep writes next to provenance.json (output manifest, dataset.json). */
export interface RunFileRecord {
  /** Relative to the output directory. */
  path: string;
  /** sha256 of the bytes written (a file medprep may replace or remove only while it matches). */
  sha256: string;
}

/** Overall outcome of a run. */
export type RunStatus = "complete" | "failed" | "interrupted";

/** The whole `provenance.json`. */
export interface Provenance {
  tool: ToolRecord;
  deno: { deno: string; v8: string; typescript: string };
  recipe: { path: string; sha256: string; git: GitRecord | null; resolved: ResolvedRecipe };
  seed: number;
  manifest: { path: string | null; glob: string | null; sha256: string | null; kind: string };
  command: string[];
  shard: ShardRecord | null;
  started: string;
  finished: string;
  status: RunStatus;
  /**
   * Dataset statistics the run used (issue 13): computed by its statistics pass, reused
   * (`--resume`) or given (`--stats`); the same content as `<out>/dataset-stats.json`.
   */
  dataset?: { source: "computed" | "reused" | "given"; path: string; stats: unknown };
  subjects: SubjectRecord[];
  /** The output manifest and dataset.json this run wrote (issue 12 item 9). */
  runFiles?: RunFileRecord[];
}

/** Converts a volume's affine to a plain mutable matrix for JSON. */
export function affineRecord(affine: Affine): number[][] {
  return affine.map((row) => [...row]);
}
