/** One step of a validated recipe: its registry name and its params after the step's schema. */
export interface RecipeStep {
  /** Registry name, e.g. `resample-to-size`. */
  step: string;
  /** Params parsed by the step's zod schema (defaults filled in). */
  params: Record<string, unknown>;
  /** 1-based position of the step entry in the recipe file. */
  line?: number;
  /** 1-based column of the step entry. */
  col?: number;
}

/** A validated recipe (SPEC §6): nothing in it is ever evaluated. */
export interface Recipe {
  /** Recipe format version (always 1). */
  version: 1;
  /** Recipe `name`; defaults to the file name without `.yaml` / `.yml`. */
  name: string;
  /** Run seed; default 0. */
  seed: number;
  /**
   * Default manifest (top-level `manifest:`), already resolved against the recipe's
   * directory; used when neither `--manifest` nor `--input` is given.
   */
  manifest?: string;
  /** The steps, in order (a source first, a sink last). */
  steps: RecipeStep[];
}

/** A recipe as plain data (what provenance records and workers receive): no positions. */
export interface PlainRecipe {
  /** Recipe format version. */
  version: number;
  /** Recipe name. */
  name: string;
  /** Run seed. */
  seed: number;
  /** Default manifest, resolved against the recipe's directory. */
  manifest?: string;
  /** Each step's registry name and parsed params. */
  steps: { step: string; params: Record<string, unknown> }[];
}
