/**
 * medprep as a library: read and write NIfTI exactly as nibabel does, the `Volume` type and its
 * primitives, recipe validation, the step registry, and the batch runner the `medprep run`
 * command uses. Everything else under `src/` is internal and may change without notice; the
 * export list of this file is pinned by `tests/mod_test.ts`.
 *
 * ```ts
 * import { findStep, readNifti, writeNifti } from "./mod.ts";
 *
 * const { volume } = await readNifti("ct.nii.gz");
 * const resample = findStep("resample-to-spacing");
 * if (resample?.kind !== "spatial") throw new Error("no resample-to-spacing step");
 * const params = resample.params.parse({ spacing: [1, 1, 1] });
 * const item = { role: "image", label: false, volume, inputDType: volume.dtype, sourcePath: "" };
 * const context = { subjectId: "ct", stepIndex: 0, copy: 0, seed: 0, warn: console.warn };
 * const { subject } = resample.apply({ id: "ct", copy: 0, items: [item] }, params, context);
 * await writeNifti("ct_1mm.nii.gz", subject.items[0].volume);
 * ```
 *
 * Permissions: reading and writing NIfTI need `--allow-read` / `--allow-write` for the files;
 * `runBatch` also needs `--allow-env --allow-sys` and `--allow-run=git,df` (as `medprep run`).
 *
 * @module
 */

// NIfTI files (SPEC §1–2).
export type { AffineSource } from "./src/nifti/nifti_geometry.ts";
export {
  NiftiError,
  type NiftiHeaderInfo,
  type NiftiImage,
  type NiftiInfo,
  readNifti,
  readNiftiHeader,
  readNiftiHeaderSync,
  readNiftiSync,
  type ReadOptions,
} from "./src/nifti/nifti_read.ts";
export {
  encodeNifti,
  writeNifti,
  writeNiftiSync,
  type WriteOptions,
  type WrittenFile,
} from "./src/nifti/nifti_write.ts";

// Volumes, grids and primitives (pure, no I/O).
export {
  createMeta,
  createVolume,
  deriveSpacing,
  type Volume,
  type VolumeMeta,
} from "./src/volume/volume.ts";
export {
  type DType,
  DTYPES,
  type FloatStorage,
  type Rounding,
  type VoxelArray,
} from "./src/volume/dtype.ts";
export type { Affine } from "./src/volume/affine.ts";
export { type DeferredValues, materializeDeferred } from "./src/volume/deferred.ts";
export type { EncodableItem, FloatPlan, PreEncoded, SaveTarget } from "./src/volume/encode.ts";
export type { Grid } from "./src/volume/grid.ts";
export { type Interpolation, INTERPOLATIONS } from "./src/volume/interpolate.ts";
export {
  type Axes,
  copyVolume,
  cropVolume,
  flipGrid,
  flipVolume,
  padVolume,
  permuteGrid,
  permuteVolume,
  translateAffine,
  translateVolume,
  type Triple,
  windowGrid,
  windowVolume,
} from "./src/volume/primitives.ts";

// Recipes: validation joins a recipe to the step registry once (the plan).
export { readRecipe, validateRecipe, validateRecipePlan } from "./src/recipe/validate.ts";
export type { PlainRecipe, Recipe, RecipeStep } from "./src/recipe/recipe.ts";
export type { BoundStep, Plan, ValueKind } from "./src/recipe/plan.ts";

// Running a recipe over a manifest (what `medprep run` does).
export { runBatch, type RunOptions } from "./src/runner/batch.ts";

// Steps: the registry and how to define one (docs/adding_a_step.md); params schemas are zod
// schemas (npm:zod@4).
export { findStep, STEPS } from "./src/steps/registry.ts";
export {
  defineStep,
  type EncodedVolume,
  type Item,
  mapImages,
  mapItems,
  materializeItems,
  type NameValues,
  type OutputContext,
  type ParamProblem,
  type ParamsOf,
  type ParamsSchema,
  type PlannedRole,
  type RoleSelection,
  type SinkFile,
  type SinkIo,
  type SinkOutput,
  type SinkStep,
  type SourceInput,
  type SourceIo,
  type SourceStep,
  type StepBase,
  type StepContext,
  type StepDefinition,
  type StepKind,
  type StepRecord,
  type StepResult,
  type Subject,
  type TransformStep,
} from "./src/steps/step.ts";
export type { DatasetNeed, DatasetStats, FrameDatasetStats } from "./src/steps/dataset_stats.ts";

// Errors: the issue lists mean nothing ran (exit 2 in the CLI).
export {
  formatIssue,
  type Issue,
  IssuesError,
  ManifestError,
  RecipeError,
  UsageError,
} from "./src/errors.ts";
