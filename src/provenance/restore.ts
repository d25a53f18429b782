/**
 * The way back (`medprep restore`, issue 12 item 10): an array made on a subject's preprocessed
 * grid (a model's prediction) mapped onto the subject's original input grid, from what the run's
 * provenance recorded — the output grid of the role (the geometry after the last step) and the
 * input's shape and affine. Every spatial step medprep has (resample-*, reorient, crops, pads)
 * changes the grid only through the affine, so one world-space resampling through both affines
 * undoes all of them at once (src/volume/resample_onto.ts): whole-voxel maps (crops, flips, axis
 * permutations, integer factors with nearest) are exact; voxels the preprocessed grid does not
 * cover (cropped away) get the fill, 0. `stack` is undone by channel: a 4D prediction (one frame
 * per channel) is restored frame by frame. Augmentation (random) cannot be undone: refused.
 * Pure: no I/O (the CLI reads and writes, src/cli/restore.ts).
 */
import { bindRecipe } from "../recipe/plan.ts";
import type { PlainRecipe } from "../recipe/recipe.ts";
import type { Grid } from "../volume/grid.ts";
import { describeGrid, gridMismatch } from "../volume/grid_match.ts";
import { type Interpolation, INTERPOLATIONS } from "../volume/interpolate.ts";
import { floatTypeFor, isIntegerDType } from "../volume/dtype.ts";
import { resampleOnto } from "../volume/resample_onto.ts";
import { createMeta, type Volume } from "../volume/volume.ts";
import type { GeometryRecord, InputRecord, Provenance, SubjectRecord } from "./types.ts";

/** What `planRestore` is asked. */
export interface RestoreRequest {
  /** The subject id. */
  subject: string;
  /** The role whose original input grid to restore onto (default: the first input role). */
  role?: string;
  /** Interpolation for image predictions (default: see `planRestore`). */
  interpolation?: Interpolation;
}

/** Where a prediction comes from and goes to. */
export interface RestorePlan {
  subject: string;
  /** The role whose input grid is the target. */
  role: string;
  /** The input record of that grid (path, sha256, shape, affine). */
  input: InputRecord;
  /** The preprocessed grid the prediction is on (the role's grid after the last step). */
  from: Grid;
  /** The original input grid. */
  to: Grid;
  /** Whether the role is a label map (restored with nearest). */
  label: boolean;
  /** Interpolation for image predictions; nearest for labels and integer predictions. */
  interpolation: Interpolation;
  /** Why that interpolation (printed). */
  interpolationReason: string;
  /** The interpolation was asked for (`--interpolation`): used for integer predictions too. */
  explicit: boolean;
}

const grid = (g: GeometryRecord): Grid => ({ shape: g.shape, affine: g.affine });

function subjectOf(provenance: Provenance, id: string): SubjectRecord {
  const s = provenance.subjects.find((x) => x.id === id);
  if (!s) {
    const ids = provenance.subjects.slice(0, 5).map((x) => `"${x.id}"`).join(", ");
    throw new Error(
      `Cannot restore subject "${id}": the provenance has no such subject (it has ${ids}${
        provenance.subjects.length > 5 ? ", …" : ""
      })`,
    );
  }
  if (s.status !== "done") {
    throw new Error(`Cannot restore subject "${id}": its run status is "${s.status}", not done`);
  }
  return s;
}

/** The input a role was made from: its own, or the first role a step combined into it (stack). */
function inputOf(s: SubjectRecord, role: string): InputRecord | undefined {
  const own = s.inputs.find((i) => i.role === role);
  if (own) return own;
  for (const step of s.steps) {
    const { into, roles } = step.params as { into?: unknown; roles?: unknown };
    if (into === role && Array.isArray(roles) && typeof roles[0] === "string") {
      return inputOf(s, roles[0]);
    }
  }
  return undefined;
}

/** The recipe's interpolation: the last step of the subject that has one (resample-*). */
function recipeInterpolation(s: SubjectRecord): Interpolation | undefined {
  let found: Interpolation | undefined;
  for (const step of s.steps) {
    const v = (step.params as { interpolation?: unknown }).interpolation;
    if (typeof v === "string" && (INTERPOLATIONS as readonly string[]).includes(v)) {
      found = v as Interpolation;
    }
  }
  return found;
}

/**
 * Plans the restore of one subject's prediction from the run's provenance: the target role
 * (`role`, default the first input role), the grid the prediction is on (that role's grid after
 * the last step; for a role no longer there, e.g. a dropped grid-only role, the first remaining
 * role's) and the original grid. Interpolation: nearest for label roles; else `interpolation`,
 * else the recipe's (its last resample step's), else linear — and nearest whenever the prediction
 * itself is integer-valued (`restoreVolume`).
 * @throws Error naming what is missing: the subject, the role, a random (augment) step
 */
export function planRestore(provenance: Provenance, request: RestoreRequest): RestorePlan {
  const s = subjectOf(provenance, request.subject);
  const plan = bindRecipe(provenance.recipe.resolved as PlainRecipe);
  const random = plan.steps.find((st) => st.definition.kind === "augment");
  if (random) {
    throw new Error(
      `Cannot restore subject "${s.id}": steps[${random.index}] (${random.definition.name}) is random augmentation, which cannot be undone; restore predictions of a recipe without augment`,
    );
  }
  const role = request.role ?? s.inputs[0]?.role;
  const input = role === undefined ? undefined : inputOf(s, role);
  if (role === undefined || !input) {
    const roles = [
      ...new Set([...s.inputs.map((i) => i.role), ...lastItems(s).map((i) => i.role)]),
    ];
    throw new Error(
      `Cannot restore onto role "${role}" of subject "${s.id}": it has no input grid (roles: ${
        roles.join(", ")
      })`,
    );
  }
  const items = lastItems(s);
  const from = items.find((i) => i.role === role) ?? items[0] ?? input;
  const label = input.label;
  const recipe = recipeInterpolation(s);
  const [interpolation, interpolationReason] = label
    ? ["nearest", `role "${role}" is a label map`] as const
    : request.interpolation
    ? [request.interpolation, "--interpolation"] as const
    : recipe
    ? [recipe, "the recipe's interpolation"] as const
    : ["linear", "default (the recipe does not resample)"] as const;
  return {
    subject: s.id,
    role,
    input,
    from: grid(from),
    to: grid(input),
    label,
    interpolation,
    interpolationReason,
    explicit: !label && request.interpolation !== undefined,
  };
}

/** The roles' grids after the last step (the inputs when no step ran), copy 0. */
function lastItems(s: SubjectRecord): (GeometryRecord & { role: string })[] {
  const steps = s.steps.filter((st) => st.copy === 0);
  return steps.length ? steps[steps.length - 1].items : s.inputs;
}

/** A restored volume with what was done. */
export interface Restored {
  volume: Volume;
  interpolation: Interpolation;
  /** Notes for the user (e.g. the prediction's own affine differs from the recorded grid). */
  warnings: string[];
}

/**
 * Maps `prediction` (on `plan.from`: its shape must match; its own affine is replaced by the
 * recorded one, with a warning when they differ) onto `plan.to`, every frame (channel); nearest
 * for labels and integer-valued predictions (unless `--interpolation` was given), fill 0 outside
 * the preprocessed field of view.
 * @throws Error when the prediction's shape is not the preprocessed grid's
 */
export function restoreVolume(prediction: Volume, plan: RestorePlan): Restored {
  const warnings: string[] = [];
  if (prediction.shape.some((n, a) => n !== plan.from.shape[a])) {
    throw new Error(
      `Cannot restore a prediction of shape ${
        prediction.shape.join("x")
      }: subject "${plan.subject}" was preprocessed to ${
        plan.from.shape.join("x")
      } (role "${plan.role}")`,
    );
  }
  const off = gridMismatch(prediction, plan.from);
  if (off) {
    warnings.push(
      `the prediction's own affine differs from the preprocessed grid (${off}); the recorded grid ${
        describeGrid(plan.from)
      } is used`,
    );
  }
  const integer = isIntegerDType(prediction.dtype) && prediction.slope === 1 &&
    prediction.inter === 0;
  const interpolation: Interpolation = plan.label || (integer && !plan.explicit)
    ? "nearest"
    : plan.interpolation;
  const onGrid: Volume = { ...prediction, affine: plan.from.affine };
  // The restored volume is the file written: float32 (nearest) for predictions of up to 16 bits
  // or float32, as numpy's astype would store the float64 samples; float64 otherwise.
  const floats = floatTypeFor(prediction.dtype) === "float32" ? "float32" : "float64";
  const volume = resampleOnto(onGrid, plan.to, { interpolation, fill: 0, floats });
  return { volume, interpolation, warnings };
}

/** How the channels of a 4D `.npy` prediction are laid out. */
export type NpyLayout = "channels-first" | "channels-last";

/**
 * A `.npy` prediction as a volume on `grid` (the preprocessed grid; the affine is the recorded
 * one): shape (X, Y, Z), (C, X, Y, Z) channels-first or (X, Y, Z, C) channels-last (leading axes
 * of size 1, e.g. a batch of one, are dropped), C or Fortran order; `layout` decides when the
 * shape fits both.
 * @throws Error when the shape does not fit the grid
 */
export function npyVolume(
  npy: { dtype: Volume["dtype"]; shape: number[]; fortranOrder: boolean; data: Volume["data"] },
  grid: Grid,
  options: { layout?: NpyLayout; file: string },
): Volume {
  let shape = [...npy.shape];
  while (shape.length > 4 && shape[0] === 1) shape = shape.slice(1);
  const lead = npy.shape.length - shape.length;
  const g = [...grid.shape];
  const fits = (s: number[]) => s.length === 3 && s.every((n, a) => n === g[a]);
  let layout: NpyLayout | "3d" | undefined;
  if (shape.length === 3 && fits(shape)) layout = "3d";
  else if (shape.length === 4) {
    const first = fits(shape.slice(1)), last = fits(shape.slice(0, 3));
    if (first && last) layout = options.layout ?? "channels-first";
    else if (first && options.layout !== "channels-last") layout = "channels-first";
    else if (last && options.layout !== "channels-first") layout = "channels-last";
  }
  if (layout === undefined) {
    throw new Error(
      `Cannot restore "${options.file}": its shape (${
        npy.shape.join(", ")
      }) is not the preprocessed grid ${g.join("x")} as (X, Y, Z), (C, X, Y, Z) or (X, Y, Z, C)${
        options.layout ? ` (--layout ${options.layout})` : ""
      }`,
    );
  }
  const frames = layout === "3d" ? 1 : layout === "channels-first" ? shape[0] : shape[3];
  // Axis sizes and strides (in elements) of the file, without the dropped leading axes.
  const dims = npy.shape.slice(lead);
  const strides = new Array<number>(dims.length);
  let acc = 1;
  if (npy.fortranOrder) {
    for (let a = 0; a < dims.length; a++) [strides[a], acc] = [acc, acc * dims[a]];
  } else {
    for (let a = dims.length - 1; a >= 0; a--) [strides[a], acc] = [acc, acc * dims[a]];
  }
  const [sx, sy, sz, sc] = layout === "channels-first"
    ? [strides[1], strides[2], strides[3], strides[0]]
    : [strides[0], strides[1], strides[2], layout === "3d" ? 0 : strides[3]];
  const out = new (npy.data.constructor as new (n: number) => Volume["data"])(npy.data.length);
  const src = npy.data as unknown as ArrayLike<number>, dst = out as unknown as number[];
  let o = 0;
  for (let c = 0; c < frames; c++) {
    for (let z = 0; z < g[2]; z++) {
      for (let y = 0; y < g[1]; y++) {
        const base = c * sc + z * sz + y * sy;
        for (let x = 0; x < g[0]; x++) dst[o++] = src[base + x * sx];
      }
    }
  }
  return {
    shape: [g[0], g[1], g[2]],
    frames,
    dtype: npy.dtype,
    data: out,
    slope: 1,
    inter: 0,
    affine: grid.affine,
    meta: createMeta(),
  };
}
