import { z } from "zod";
import type { Grid } from "../../volume/grid.ts";
import type { Rng } from "../../random/rng.ts";
import type { Stage } from "../../volume/transform.ts";

/** What a transform may look at while drawing: its input grid and the labelled voxels. */
export interface DrawContext {
  readonly grid: Grid;
  /** A random voxel (index in `grid`) whose label is one of `values` (any nonzero when absent), or null. */
  pickLabelled(rng: Rng, values?: readonly number[]): [number, number, number] | null;
}

/** Drawn values of one transform: plain JSON data, enough to redo it without a generator. */
export type Realized = Record<string, unknown>;

/** An image's values as float32 real values, with its grid (intensity transforms act in place). */
export interface FloatImage {
  readonly data: Float32Array;
  readonly grid: Grid;
  readonly frames: number;
}

/** One augmentation transform: schema, pure draw, and its effect on grids or intensities. */
export interface AugmentTransform<S extends z.ZodType = z.ZodType> {
  /** Key in the recipe (`- flip: {...}`). */
  readonly name: string;
  /** One line for help and the JSON Schema. */
  readonly summary: string;
  readonly kind: "spatial" | "intensity";
  readonly params: S;
  /**
   * Present when the transform uses `p` itself (flip: per axis): draw always
   * runs and this tells whether the drawn values change anything.
   */
  fired?(realized: Realized): boolean;
  /** Draws the transform's random values (pure: only `rng` is random). */
  draw(rng: Rng, params: z.output<S>, context: DrawContext): Realized;
  /** Spatial: output grid and the pull-back stage (output index → input index; null = identity). */
  spatial?(realized: Realized, input: Grid): { grid: Grid; stage: Stage | null };
  /** Intensity: changes the image's values in place. */
  intensity?(realized: Realized, image: FloatImage): void;
}

/** Declares a transform (identity function that fixes the params type). */
export function defineTransform<S extends z.ZodType>(t: AugmentTransform<S>): AugmentTransform<S> {
  return t;
}

/** The probability every transform has. */
export const probability = z.number().min(0).max(1).default(1).describe(
  "Probability that the transform fires for a sample (0-1)",
);

/** A sub-seed for a transform's own generator (noise, elastic control points). */
export function drawSubSeed(rng: Rng): number {
  return rng.int(0, 0xffffffff);
}

/** Reads a recorded value as a number triple. */
export function triple(v: unknown, name: string): [number, number, number] {
  if (!Array.isArray(v) || v.length !== 3 || !v.every((x) => typeof x === "number")) {
    throw new Error(`Cannot replay "${name}": expected 3 numbers, got ${JSON.stringify(v)}`);
  }
  return [v[0], v[1], v[2]];
}

/** Reads a recorded value as a number. */
export function num(v: unknown, name: string): number {
  if (typeof v !== "number") {
    throw new Error(`Cannot replay "${name}": expected a number, got ${JSON.stringify(v)}`);
  }
  return v;
}
