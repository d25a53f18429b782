import type { z } from "zod";
import type { EncodableItem } from "../volume/encode.ts";
import type { Grid } from "../volume/grid.ts";
import type { Volume } from "../volume/volume.ts";

/**
 * What a step does, which is all the runner looks at (never a step's name):
 * - `source` reads a subject's files into volumes (`read`, through the runner's `SourceIo`);
 * - `spatial` changes the grid of every role (labels with nearest);
 * - `intensity` changes values of image roles only (labels pass through);
 * - `augment` draws random transforms, applied to all roles of a subject together;
 * - `sink` writes the subject's volumes (`write`, through the runner's `SinkIo`).
 */
export type StepKind = "source" | "spatial" | "intensity" | "augment" | "sink";

/**
 * One role's volume of one subject as it moves through the steps: the fields that decide
 * its stored type (label flag, volume, input type and scaling, why the type changed — see
 * volume/encode.ts) plus where it came from.
 */
export interface Item extends EncodableItem {
  /** Manifest column, e.g. `image`, `label`, `t2`. */
  readonly role: string;
  /** The input file, for `{stem}` in save names. */
  readonly sourcePath: string;
}

/** A subject's items at one point of the recipe. */
export interface Subject {
  readonly id: string;
  /** Augmentation copy index (0 before/without augment). */
  readonly copy: number;
  readonly items: readonly Item[];
}

/** What a step may know about where it runs; never the worker, the order or the time. */
export interface StepContext {
  readonly subjectId: string;
  readonly stepIndex: number;
  readonly copy: number;
  /** Seed derived from (run seed, subject id, step index, copy) — SPEC §5. */
  readonly seed: number;
  /**
   * Values a previous run drew and recorded for this step (provenance `record`);
   * a random step given them applies them instead of drawing (replay).
   */
  readonly replay?: StepRecord;
  /** Records a warning for this subject (printed and kept in provenance). */
  warn(message: string): void;
}

/** Values a step used or drew, recorded in provenance (statistics, drawn values). */
export type StepRecord = Record<string, unknown>;

/** The outcome of applying one step to one subject. */
export interface StepResult {
  readonly subject: Subject;
  readonly record?: StepRecord;
}

/** The members every step has: its schema is the single source of its params' type, defaults and docs. */
interface StepBase<S extends z.ZodType> {
  readonly name: string;
  readonly summary: string;
  readonly params: S;
  /** A YAML snippet (one list entry) that validates. */
  readonly example: string;
  /** Number of outputs per subject this step makes (augmentation copies); 1 when absent. */
  copies?(params: z.output<S>): number;
  /**
   * Output grid for an input grid (spatial steps; absent = grid unchanged or unknown until run);
   * the frames of a 4D volume share the grid, so their number never changes.
   */
  plan?(grid: Grid, params: z.output<S>): Grid;
  /**
   * What the values are after this step, when knowable from the params alone: `input` (still
   * of the input's kind), `float` (fractional on purpose, e.g. z-scored). Absent = not known.
   */
  produces?(params: z.output<S>): "input" | "float";
}

/** A step that transforms a loaded subject (spatial, intensity or augment). */
export interface TransformStep<S extends z.ZodType = z.ZodType> extends StepBase<S> {
  readonly kind: "spatial" | "intensity" | "augment";
  /** Applies the step; never touches files, never mutates its input. */
  apply(subject: Subject, params: z.output<S>, context: StepContext): StepResult;
  readonly roles?: undefined;
  readonly read?: undefined;
  readonly outputName?: undefined;
  readonly write?: undefined;
}

/** Which roles a source reads and which of them hold label maps. */
export interface RoleSelection {
  /** The roles to read, in order; undefined = every role the subject has a file for. */
  readonly roles?: readonly string[];
  /** Roles holding label maps (never interpolated, never cast to float). */
  readonly labels: readonly string[];
}

/** One subject's files, as a source reads them. */
export interface SourceInput {
  readonly id: string;
  /** Role → input path (roles without a file are absent). */
  readonly paths: Readonly<Record<string, string>>;
}

/** The file access a source gets from the runner (which records hashes and limits sizes). */
export interface SourceIo {
  /** Reads one NIfTI volume. */
  read(path: string): Volume;
}

/** A step that makes a subject from its files: the first step of every recipe. */
export interface SourceStep<S extends z.ZodType = z.ZodType> extends StepBase<S> {
  readonly kind: "source";
  /** The roles this source reads and which are labels, from its params alone. */
  roles(params: z.output<S>): RoleSelection;
  /** Reads the subject's volumes (copy 0). */
  read(input: SourceInput, params: z.output<S>, io: SourceIo): Subject;
  readonly apply?: undefined;
  readonly outputName?: undefined;
  readonly write?: undefined;
}

/** Values substituted into an output name. */
export interface NameValues {
  id: string;
  role: string;
  stem: string;
  copy: number;
}

/** A volume encoded for saving (SPEC §2 dtype rule). */
export interface EncodedVolume {
  volume: Volume;
  dtype: string;
  reason: string;
  clamped: number;
}

/**
 * What a sink may do: encode values for storage and write files under the output directory
 * (paths relative to it). The runner makes every write atomic and records each file's hash.
 */
export interface SinkIo {
  /** Encodes an item's values into a stored type (`auto`, `keep` or a type name). */
  encode(item: Item, dtype: string): EncodedVolume;
  /** Writes a NIfTI-1 file (gzip when `path` ends in .gz). */
  writeVolume(path: string, volume: Volume, options: { level: number }): void;
  /** Writes a file of raw bytes (any other format). */
  writeBytes(path: string, bytes: Uint8Array): void;
}

/** One file a sink wrote (path relative to the output directory). */
export interface SinkOutput {
  role: string;
  copy: number;
  path: string;
  dtype: string;
  /** Why the stored type is what it is. */
  dtypeReason: string;
  /** Voxels clamped into the stored type's range. */
  clamped: number;
}

/** What a sink needs to know about the recipe to judge its output names. */
export interface OutputContext {
  /** Outputs per subject from augmentation (product of `copies`). */
  copies: number;
  /** True when the recipe guarantees a single role (the source reads one role). */
  singleRole: boolean;
}

/** A step that writes a subject's volumes: the last step of every recipe. */
export interface SinkStep<S extends z.ZodType = z.ZodType> extends StepBase<S> {
  readonly kind: "sink";
  /**
   * The file (relative to the output directory) one role of one copy is written to; the run's
   * output planner checks every rendered name with it before anything is read.
   */
  outputName(params: z.output<S>, values: NameValues): string;
  /**
   * Problems of the output names alone, given the params as written (possibly invalid in other
   * keys) and what the recipe makes per subject; each names the param key it is about.
   */
  checkOutputs?(
    params: Readonly<Record<string, unknown>>,
    context: OutputContext,
  ): { key: string; message: string }[];
  /** Writes every item of the subject; returns what it wrote. */
  write(subject: Subject, params: z.output<S>, io: SinkIo): SinkOutput[];
  readonly apply?: undefined;
  readonly roles?: undefined;
  readonly read?: undefined;
}

/** A step of any kind (a tagged union on `kind`). */
export type StepDefinition<S extends z.ZodType = z.ZodType> =
  | TransformStep<S>
  | SourceStep<S>
  | SinkStep<S>;

/** Declares a step (identity function that fixes the params type). */
export function defineStep<S extends z.ZodType>(definition: TransformStep<S>): TransformStep<S>;
export function defineStep<S extends z.ZodType>(definition: SourceStep<S>): SourceStep<S>;
export function defineStep<S extends z.ZodType>(definition: SinkStep<S>): SinkStep<S>;
export function defineStep<S extends z.ZodType>(definition: StepDefinition<S>): StepDefinition<S> {
  return definition;
}

/** Applies `fn` to every image (non-label) item; labels pass through untouched. */
export function mapImages(
  subject: Subject,
  fn: (item: Item) => Item,
): Subject {
  return { ...subject, items: subject.items.map((it) => (it.label ? it : fn(it))) };
}

/** Applies `fn` to every item, labels included (spatial steps). */
export function mapItems(subject: Subject, fn: (item: Item) => Item): Subject {
  return { ...subject, items: subject.items.map(fn) };
}
