import type { z } from "zod";
import type { EncodableItem } from "../volume/encode.ts";
import type { Grid } from "../volume/grid.ts";

/**
 * What a step does, which is all the runner looks at (never a step's name):
 * - `source` reads a subject's files (the runner does the I/O from its params);
 * - `spatial` changes the grid of every role (labels with nearest);
 * - `intensity` changes values of image roles only (labels pass through);
 * - `augment` draws random transforms, applied to all roles of a subject together;
 * - `sink` writes the subject's volumes (the runner does the I/O from its params).
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

/** A step: its schema is the single source of its params' type, defaults and docs. */
export interface StepDefinition<S extends z.ZodType = z.ZodType> {
  readonly name: string;
  readonly kind: StepKind;
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
  /** Applies the step; absent for `source` and `sink`, whose I/O the runner does. */
  apply?(subject: Subject, params: z.output<S>, context: StepContext): StepResult;
}

/** Declares a step (identity function that fixes the params type). */
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
