import type { z } from "zod";
import type { EncodableItem, FloatPlan, SaveTarget } from "../volume/encode.ts";
import type { Grid } from "../volume/grid.ts";
import type { Volume } from "../volume/volume.ts";
import { type DeferredValues, materializeDeferred } from "../volume/deferred.ts";
import type { DatasetNeed, DatasetStats } from "./dataset_stats.ts";

/**
 * What a step does, which is all the runner looks at (never a step's name):
 * - `source` reads a subject's files into volumes (`read`, through the runner's `SourceIo`);
 * - `spatial` changes the grid of every role (labels with nearest);
 * - `intensity` changes values of image roles only (labels pass through);
 * - `label` changes values of label roles only (images pass through; grid kept);
 * - `augment` draws random transforms, applied to all roles of a subject together;
 * - `sink` writes the subject's volumes (`write`, through the runner's `SinkIo`).
 */
export type StepKind = "source" | "spatial" | "intensity" | "label" | "augment" | "sink";

/**
 * One role's volume of one subject as it moves through the steps: the fields that decide
 * its stored type (label flag, volume, input type and scaling, why the type changed — see
 * volume/encode.ts) plus where it came from.
 */
export interface Item extends EncodableItem {
  /** Manifest column, e.g. `image`, `label`, `t2`. */
  readonly role: string;
  /** NaN voxels `load: { nan: zero }` replaced by 0 (recorded with the input). */
  readonly nanReplaced?: number;
  /** The input file, for `{stem}` in save names. */
  readonly sourcePath: string;
  /** Spatial shape of the input file (what a NumPy output's sidecar records as original). */
  readonly inputShape?: readonly [number, number, number];
  /**
   * Float values not held (issue 15): `volume.data` is empty and these compute the values
   * again on every read. Only a step whose `readsDeferred` is true receives such an item (the
   * producing step defers only when told `StepContext.defer`); the runner holds it
   * (`materializeItems`) before any other step, the sink, or a statistics pass sees it.
   */
  readonly deferred?: DeferredValues;
}

/** A subject's items at one point of the recipe. */
export interface Subject {
  /** The subject's id (manifest `id` column). */
  readonly id: string;
  /** Augmentation copy index (0 before/without augment). */
  readonly copy: number;
  /** One item per role, in the source's role order. */
  readonly items: readonly Item[];
}

/** What a step may know about where it runs; never the worker, the order or the time. */
export interface StepContext {
  /** The subject's id. */
  readonly subjectId: string;
  /** Index of the step in the recipe's `steps`. */
  readonly stepIndex: number;
  /** Augmentation copy index (0 before/without augment). */
  readonly copy: number;
  /** Seed derived from (run seed, subject id, step index, copy) — SPEC §5. */
  readonly seed: number;
  /**
   * Values a previous run drew and recorded for this step (provenance `record`);
   * a random step given them applies them instead of drawing (replay).
   */
  readonly replay?: StepRecord;
  /**
   * The sink's encoding when the sink directly follows this step (bound plan): a step may
   * then emit the stored type itself where `directSaveType` allows (SPEC §2, bit for bit).
   */
  readonly save?: SaveTarget;
  /**
   * Where the float results this step makes go (bound plan `BoundStep.floats`): how to store
   * them is `floatStorageOf(item, floats)` (SPEC §2). Absent: exactly (float64).
   */
  readonly floats?: FloatPlan;
  /**
   * The next step reads deferred values (bound plan `BoundStep.defer`): a float result this
   * step would hold may be returned deferred instead (`Item.deferred`). Absent: never.
   */
  readonly defer?: boolean;
  /**
   * The dataset statistics of this step (`over: dataset`, `spacing: median`), pooled over every
   * subject by the run's statistics pass before this subject runs (issue 13).
   */
  readonly dataset?: DatasetStats;
  /** Records a warning for this subject (printed and kept in provenance). */
  warn(message: string): void;
  /**
   * Whether nothing reads `volume`'s voxels after this step (the runner's subject holds its
   * only reference): the step may then build its result in that memory (issue 15, peak RSS).
   * Absent: never.
   */
  owns?(volume: Volume): boolean;
  /**
   * Reads a file the step names in `files()` (e.g. resample-to-reference's `reference`) through
   * the runner: size-limited, with the sha256 of its bytes for provenance.
   */
  readVolume?(path: string): { volume: Volume; sha256: string };
}

/** Values a step used or drew, recorded in provenance (statistics, drawn values). */
export type StepRecord = Record<string, unknown>;

/** The outcome of applying one step to one subject. */
export interface StepResult {
  /** The subject after the step (a new object; the input is never mutated). */
  readonly subject: Subject;
  /** What the step used or drew, for provenance. */
  readonly record?: StepRecord;
}

/**
 * The zod schema of a step's params (any zod type; `z.object({...}).strict()` in practice).
 * @ignore
 */
export type ParamsSchema = z.ZodType;

/**
 * The params a schema yields after parsing (defaults filled in).
 * @ignore
 */
export type ParamsOf<S extends ParamsSchema> = z.output<S>;

/** The members every step has: its schema is the single source of its params' type, defaults and docs. */
export interface StepBase<S extends ParamsSchema> {
  /** The name recipes use (`- step: NAME`), kebab-case. */
  readonly name: string;
  /** One line for `medprep steps` and the README table. */
  readonly summary: string;
  /** The params schema: type, defaults, ranges and per-param docs (`.describe()`). */
  readonly params: S;
  /** A YAML snippet (one list entry) that validates. */
  readonly example: string;
  /** Number of outputs per subject this step makes (augmentation copies); 1 when absent. */
  copies?(params: ParamsOf<S>): number;
  /**
   * The step puts every role of a subject onto one grid (e.g. resampling a label onto its
   * image): the runner then skips its one-grid check after `load` (SPEC §7, runner/grid_check.ts).
   */
  readonly alignsRoles?: boolean;
  /**
   * Roles of the subject this step's params name (`onto`, `mask`, …), each with the path of its
   * param (`["roles", 0]`): validation checks that the recipe loads them (and that no earlier
   * step removed them).
   */
  rolesUsed?(params: ParamsOf<S>): { path: (string | number)[]; role: string }[];
  /**
   * Files the step reads besides the manifest's (absolute after validation): the runner grants
   * workers read access to them; `context.readVolume` reads them.
   */
  files?(params: ParamsOf<S>): string[];
  /** The params with the file paths they hold resolved against the recipe's folder. */
  resolveFiles?(params: ParamsOf<S>, dir: string): ParamsOf<S>;
  /**
   * Output grid for an input grid (spatial steps; absent = grid unchanged or unknown until run);
   * the frames of a 4D volume share the grid, so their number never changes.
   */
  plan?(grid: Grid, params: ParamsOf<S>): Grid;
  /**
   * True when, with these params, `plan()` gives the output shape and spacing but the position
   * depends on the data (e.g. a window centred on a label): dry runs then say "varies".
   */
  planVaries?(params: ParamsOf<S>): boolean;
  /**
   * The roles after this step, for planning output names (steps that merge or rename roles, e.g.
   * `stack`); absent = unchanged. Never throws: a subject that cannot be mapped fails when run.
   */
  mapRoles?(roles: readonly PlannedRole[], params: ParamsOf<S>): PlannedRole[];
  /**
   * Problems of the params against the recipe's label roles (the source's `labels`, as mapped by
   * earlier steps), reported by validation before anything runs.
   */
  checkRoles?(labels: readonly string[], params: ParamsOf<S>): ParamProblem[];
  /**
   * True when, with these params, the step only moves image values (copies them to other voxels,
   * or pads with one of them) and never computes new ones from them nor sets a `dtypeReason`:
   * float results of earlier steps may then stay in float32 when only the sink sees them (bound
   * plan `floats`, SPEC §2). Absent = it computes (the earlier steps keep float64).
   */
  movesValues?(params: ParamsOf<S>): boolean;
  /**
   * True when, with these params, the step reads items whose values are deferred
   * (`Item.deferred`, read through `each` in voxel order, possibly several times) and returns
   * none deferred: the step before it may then defer its float results (issue 15). Absent =
   * the runner holds them first.
   */
  readsDeferred?(params: ParamsOf<S>): boolean;
  /**
   * What the values are after this step, when knowable from the params alone: `input` (still
   * of the input's kind), `float` (fractional on purpose, e.g. z-scored). Absent = not known.
   */
  produces?(params: ParamsOf<S>): "input" | "float";
  /**
   * The range [lo, hi] image values lie in after this step, when the params alone tell (a CT
   * window, clip bounds); previews use it as their grey window (issue 14.1).
   */
  valueRange?(params: ParamsOf<S>): readonly [number, number] | undefined;
  /**
   * What the step needs from the whole dataset (pooled over every subject, as the values reach
   * it) before any subject can run it; undefined = nothing (steps/dataset_stats.ts).
   */
  dataset?(params: ParamsOf<S>): DatasetNeed | undefined;
}

/**
 * A role as the recipe knows it between steps, before any file is read: its name, whether it
 * holds a label map, and the input role whose file names its outputs (`{stem}`).
 */
export interface PlannedRole {
  /** The role's name (manifest column, or a step's new role such as stack's `into`). */
  readonly role: string;
  /** Whether it holds a label map. */
  readonly label: boolean;
  /** The input role whose file gives `{stem}` in output names. */
  readonly from: string;
}

/** A problem of a step's params, naming the param key it is about. */
export interface ParamProblem {
  /** The param key (or `step` for the whole entry). */
  key: string;
  /** What is wrong, in the house style (`Cannot … : …`). */
  message: string;
}

/** A step that transforms a loaded subject (spatial, intensity or augment). */
export interface TransformStep<S extends ParamsSchema = ParamsSchema> extends StepBase<S> {
  /** What the step changes: the grid of every role, image values, or random augmentation. */
  readonly kind: "spatial" | "intensity" | "label" | "augment";
  /** Applies the step; never touches files, never mutates its input. */
  apply(subject: Subject, params: ParamsOf<S>, context: StepContext): StepResult;
  /** Only sources have roles. */
  readonly roles?: undefined;
  /** Only sources read. */
  readonly read?: undefined;
  /** Only sinks name outputs. */
  readonly outputName?: undefined;
  /** Only sinks write. */
  readonly write?: undefined;
}

/** Which roles a source reads and which of them hold label maps. */
export interface RoleSelection {
  /** The roles to read, in order; undefined = every role the subject has a file for. */
  readonly roles?: readonly string[];
  /** Roles holding label maps (never interpolated, never cast to float). */
  readonly labels: readonly string[];
  /** Metadata conditions selecting subjects (manifest/where.ts); all must hold. */
  readonly where?: readonly string[];
}

/** One subject's files, as a source reads them. */
export interface SourceInput {
  /** The subject's id (manifest `id` column). */
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
export interface SourceStep<S extends ParamsSchema = ParamsSchema> extends StepBase<S> {
  /** Sources make a subject from its files. */
  readonly kind: "source";
  /** The roles this source reads and which are labels, from its params alone. */
  roles(params: ParamsOf<S>): RoleSelection;
  /** Reads the subject's volumes (copy 0). */
  read(input: SourceInput, params: ParamsOf<S>, io: SourceIo): Subject;
  /** Sources do not transform. */
  readonly apply?: undefined;
  /** Only sinks name outputs. */
  readonly outputName?: undefined;
  /** Only sinks write. */
  readonly write?: undefined;
}

/** Values substituted into an output name. */
export interface NameValues {
  /** `{id}`: the subject id. */
  id: string;
  /** `{role}`: the manifest column. */
  role: string;
  /** `{stem}`: the input file name without its extensions. */
  stem: string;
  /** `{copy}`: the augmentation copy index. */
  copy: number;
}

/** A volume encoded for saving (SPEC §2 dtype rule). */
export interface EncodedVolume {
  /** The volume in its stored type. */
  volume: Volume;
  /** The stored type's name. */
  dtype: string;
  /** Why this type was chosen (recorded in provenance). */
  reason: string;
  /** Voxels clamped into the type's range. */
  clamped: number;
  /** Messages for the subject's warnings (clamped or NaN voxels, odd label values). */
  warnings?: string[];
}

/**
 * What a sink may do: encode values for storage and write files under the output directory
 * (paths relative to it). The runner makes every write atomic and records each file's hash.
 */
export interface SinkIo {
  /**
   * Encodes an item's values into a stored type (`auto`, `keep` or a type name), integers
   * rounded by `rounding` (`nearest` by default, or `truncate`).
   */
  encode(item: Item, dtype: string, rounding?: string): EncodedVolume;
  /** Writes a NIfTI-1 file (gzip when `path` ends in .gz). */
  writeVolume(path: string, volume: Volume, options: { level: number }): void;
  /** Writes a file of raw bytes (any other format). */
  writeBytes(path: string, bytes: Uint8Array): void;
}

/** One file a sink wrote (path relative to the output directory). */
export interface SinkOutput {
  /** The role written. */
  role: string;
  /** The augmentation copy written. */
  copy: number;
  /** Path relative to the output directory. */
  path: string;
  /** The stored type's name. */
  dtype: string;
  /** Why the stored type is what it is. */
  dtypeReason: string;
  /** Voxels clamped into the stored type's range. */
  clamped: number;
  /** Warnings about this file's values (not part of the output record). */
  warnings?: string[];
  /** Set on a preview picture: the output (path) it shows. */
  previewOf?: string;
  /** A file holding several roles (npz): its array names, in order. */
  arrays?: string[];
  /** A sidecar (JSON metadata): the path of the file it describes. */
  sidecarOf?: string;
}

/** One file a sink writes for one subject copy (path relative to the output directory). */
export interface SinkFile {
  /** The role written (several roles in one file: joined with `+`). */
  role: string;
  /** Path relative to the output directory. */
  path: string;
  /** A sidecar: the path of the file it describes. */
  sidecarOf?: string;
}

/** What a sink needs to know about the recipe to judge its output names. */
export interface OutputContext {
  /** Outputs per subject from augmentation (product of `copies`). */
  copies: number;
  /** True when the recipe guarantees a single role (the source reads one role). */
  singleRole: boolean;
}

/** A step that writes a subject's volumes: the last step of every recipe. */
export interface SinkStep<S extends ParamsSchema = ParamsSchema> extends StepBase<S> {
  /** Sinks write a subject's volumes. */
  readonly kind: "sink";
  /**
   * The file (relative to the output directory) one role of one copy is written to; the run's
   * output planner checks every rendered name with it before anything is read.
   */
  outputName(params: ParamsOf<S>, values: NameValues): string;
  /**
   * Every file one subject copy with these roles writes, when that is not one `outputName` per
   * role (several roles in one file, sidecars); the output planner then uses it instead.
   */
  outputFiles?(
    params: ParamsOf<S>,
    values: { id: string; copy: number; roles: readonly { role: string; stem: string }[] },
  ): SinkFile[];
  /**
   * Problems of the output names alone, given the params as written (possibly invalid in other
   * keys) and what the recipe makes per subject; each names the param key it is about.
   */
  checkOutputs?(
    params: Readonly<Record<string, unknown>>,
    context: OutputContext,
  ): { key: string; message: string }[];
  /** Writes every item of the subject; returns what it wrote. */
  write(subject: Subject, params: ParamsOf<S>, io: SinkIo): SinkOutput[];
  /**
   * The preview picture written beside output `path`, or undefined when previews are off; the
   * output planner lists it with the outputs (names checked, collisions, `--resume`).
   */
  previewName?(params: ParamsOf<S>, path: string): string | undefined;
  /**
   * The params with previews switched on (`run --preview`), and `window` as their grey window
   * unless the params give one; absent = the sink has no previews.
   */
  withPreview?(params: ParamsOf<S>, options?: { window?: readonly [number, number] }): ParamsOf<S>;
  /** How the sink stores values (`dtype`, `rounding`), told to the step right before it. */
  encoding?(params: ParamsOf<S>): SaveTarget;
  /** Sinks do not transform. */
  readonly apply?: undefined;
  /** Only sources have roles. */
  readonly roles?: undefined;
  /** Only sources read. */
  readonly read?: undefined;
}

/** A step of any kind (a tagged union on `kind`). */
export type StepDefinition<S extends ParamsSchema = ParamsSchema> =
  | TransformStep<S>
  | SourceStep<S>
  | SinkStep<S>;

/** Declares a step (identity function that fixes the params type). */
export function defineStep<S extends ParamsSchema>(definition: TransformStep<S>): TransformStep<S>;
/** Declares a source step. */
export function defineStep<S extends ParamsSchema>(definition: SourceStep<S>): SourceStep<S>;
/** Declares a sink step. */
export function defineStep<S extends ParamsSchema>(definition: SinkStep<S>): SinkStep<S>;
export function defineStep<S extends ParamsSchema>(
  definition: StepDefinition<S>,
): StepDefinition<S> {
  return definition;
}

/** Applies `fn` to every image (non-label) item; labels pass through untouched. */
export function mapImages(
  subject: Subject,
  fn: (item: Item) => Item,
): Subject {
  return { ...subject, items: subject.items.map((it) => (it.label ? it : fn(it))) };
}

/**
 * The subject with the values of every deferred item (`Item.deferred`) `which` selects held,
 * as the step making them would have held them; the subject itself when there is none.
 */
export function materializeItems(
  subject: Subject,
  which: (item: Item) => boolean = () => true,
): Subject {
  if (!subject.items.some((it) => it.deferred && which(it))) return subject;
  return {
    ...subject,
    items: subject.items.map((item) => {
      const { deferred, ...it } = item;
      if (!deferred || !which(item)) return item;
      return { ...it, volume: { ...it.volume, data: materializeDeferred(deferred) } };
    }),
  };
}

/** Applies `fn` to every item, labels included (spatial steps). */
export function mapItems(subject: Subject, fn: (item: Item) => Item): Subject {
  return { ...subject, items: subject.items.map(fn) };
}
