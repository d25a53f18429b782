/**
 * Messages between the main thread and runner workers: tagged unions of plain data only.
 * Volumes never cross: a worker reads its subject's files, runs the steps and writes the
 * outputs itself, and posts back the subject's provenance record.
 */
import type { ResolvedRecipe, StepEntry, SubjectRecord } from "../provenance/types.ts";
import type { DatasetNeed, DatasetStats } from "../steps/dataset_stats.ts";
import type { HelperBuffers } from "../nifti/deflate_helper.ts";
import type { HashedParts } from "../nifti/nifti_read.ts";

/** What every worker needs once, before its first job. */
export interface WorkerInit {
  recipe: ResolvedRecipe;
  /** Absolute output directory; the only place a worker may write. */
  outDir: string;
  /**
   * This run's private directory inside `outDir` where files are written before being renamed
   * to their final names, so an interrupted or crashed write leaves nothing anywhere else
   * (and concurrent shards writing into the same `outDir` never touch each other's files).
   * Without it, files are written in place (the writer's own temp file + rename).
   */
  stagingDir?: string;
  /** Largest input file (uncompressed bytes) a worker accepts: the out-of-memory guard. */
  maxInputBytes: number;
  /** Bytes one subject may use at its peak (estimated from its headers before reading). */
  memoryBudget?: { bytes: number; source: string };
  /** Dataset statistics by step index (`over: dataset`, `spacing: median`), from the stats pass. */
  dataset?: Record<number, DatasetStats>;
  /**
   * Statistics pass: run the steps before `stop` only, then return what the subject contributes
   * to each `collect` step's need (the record's `contributions`, by step index); nothing is
   * written. Later steps collected here see the same grid (only intensity steps between).
   */
  statsPass?: { stop: number; collect: { index: number; need: DatasetNeed }[] };
  /**
   * Path of the system libdeflate the workers inflate gzip inputs with (MEDPREP_INFLATE=libdeflate,
   * issue 15.1), granted to them through FFI for that file only; a worker that cannot load it
   * stops the run (no silent fallback). Absent: node:zlib.
   */
  libdeflate?: string;
  /**
   * The shared memory of this worker's deflate helper (served by the main thread when the run
   * has fewer workers than cores): it compresses every other chunk of the .nii.gz outputs
   * (issue 15.1). The bytes are the same without it (gzip_writer.ts).
   */
  deflateHelper?: HelperBuffers;
}

/** Replays one augmented copy with the values a previous run drew (`run --replay`). */
export interface ReplayTarget {
  copy: number;
  steps: StepEntry[];
}

/** One subject to process. */
export interface Job {
  id: string;
  row: number;
  /** Role → absolute input path (roles without a file are absent). */
  paths: Record<string, string>;
  /** Metadata columns of the subject's row (never opened; recorded in provenance). */
  metadata?: Record<string, string | number | boolean>;
  /**
   * Input path → the other half of its `.hdr`/`.img` pair, resolved once before the run: the
   * only extra file a worker may read, and the one it reads.
   */
  pairs?: Record<string, string>;
  replay?: ReplayTarget;
}

/**
 * An input file the main thread read for a worker's first job (runner/first_buffers.ts), with
 * the options it was read with: the worker uses it only for a read with the same ones.
 */
export interface FirstRead extends HashedParts {
  path: string;
  maxBytes: number;
  pairedWith?: string;
}

/** Main thread → worker. */
export type ToWorker =
  | { type: "init"; init: WorkerInit }
  | {
    type: "job";
    job: Job;
    /** Input buffers the main thread made ready for a worker's first job (transferred). */
    buffers?: ArrayBuffer[];
    /** Inputs of a worker's first job the main thread already read (buffers transferred). */
    reads?: FirstRead[];
  };

/** Worker → main thread. */
export type FromWorker =
  | { type: "ready" }
  | { type: "done"; record: SubjectRecord }
  | { type: "fatal"; message: string };
