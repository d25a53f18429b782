/**
 * The memory model of the steps (issue #10.6): a subject's peak working set estimated from its
 * roles' headers and the bound recipe before any voxel is read. The runner compares it with the
 * budget (runner/budget.ts); this file is where knowledge of the built-in steps' params lives
 * (the runner only branches on kinds and never reads params).
 *
 * What is counted follows what the runner keeps alive: the input buffers (held by the worker's
 * buffer pool for the whole subject), every role's current volume, the volumes a step is
 * making while its inputs are still referenced, and the step's scratch — separable passes
 * (the in-plane-resampled stack when z needs a line operator: B-spline prefilter or
 * anti-aliasing), B-spline coefficients (float64 copies in `augment`), float copies for
 * intensity transforms, the `save` encoding. Augmentation copies run depth-first, so a fork
 * keeps one subject alive per fork level, never all copies. Intermediate images of a
 * linear / B-spline resampling and of intensity steps are counted as floats (SPEC §2: values
 * between steps are real numbers) of the width the bound plan gives them (`floats`: float64
 * when a later step computes from them), an upper bound when a step keeps a smaller type.
 * Measured against the peak RSS of real runs (256×256×128 int16: B-spline / linear
 * upsampling, antialiased downsampling, B-spline augmentation): within about 15 MB below to 2×
 * above.
 */
import type { StepDefinition } from "./step.ts";
import type { Grid } from "../volume/grid.ts";
import { TRANSFORMS } from "./augment/augment.ts";
import { type DType, DTYPE_INFO } from "../volume/dtype.ts";
import { type FloatPlan, floatStorageFor, savedType } from "../volume/encode.ts";
import type { Interpolation } from "../volume/interpolate.ts";
import { resampleDefers } from "./spatial/resample_apply.ts";

/** A role's grid and its number of 3D frames (a 4D volume's frames share the grid). */
export interface Geometry extends Grid {
  readonly frames: number;
}

/** One role as a subject's header describes it. */
export interface RoleInput {
  role: string;
  label: boolean;
  geometry: Geometry;
  dtype: DType;
  /** The input file, named in messages. */
  file?: string;
}

/** A recipe step as the estimate sees it (a plan's `BoundStep` is one). */
export interface PlannedStep {
  readonly definition: StepDefinition;
  readonly params: Record<string, unknown>;
  /** Where its float results go (bound plan); absent: float64 (`floatStorageOf`). */
  readonly floats?: FloatPlan;
  /** The next step reads its float results deferred (bound plan `defer`, issue 15). */
  readonly defer?: boolean;
}

/** The working set of a subject at one step: how much, and why. */
export interface StepPeak {
  bytes: number;
  /** Index of the step. */
  step: number;
  name: string;
  /** What the step holds, e.g. `image 2x2x2 uint8 → 1280x1280x1280 float32`. */
  detail: string;
}

/** The largest working set of a subject (at which step, how much, why) and every step's. */
export interface PeakEstimate extends StepPeak {
  steps: StepPeak[];
}

/** Bytes a worker needs besides its subject's data (gzip state, chunks, hashing). */
export const IO_OVERHEAD = 8 << 20;

interface Vol {
  voxels: number;
  bytes: number;
}

interface RoleState {
  role: string;
  label: boolean;
  geometry: Geometry;
  dtype: string;
  inputDType: DType;
  vol: Vol;
  /** An intensity step made the values fractional (`auto` then saves float32). */
  fractional?: boolean;
  /**
   * Float values not held (`Item.deferred`): what they would take; `vol` is then the volume
   * they are computed from, kept until the next step has read them.
   */
  deferred?: Vol;
}

const total = (vols: Iterable<Vol>) => {
  let s = 0;
  for (const v of vols) s += v.voxels * v.bytes;
  return s;
};

const voxelsOf = (g: Geometry) => g.shape[0] * g.shape[1] * g.shape[2] * g.frames;
const shapeText = (g: Geometry) => `${g.shape.join("x")}${g.frames > 1 ? `x${g.frames}` : ""}`;

/**
 * Bytes per voxel of a step's float results (`floatStorageOf`): float64 when the plan says
 * exact (or gives no plan) or the sink's type needs it, else float32.
 */
function floatBytes(r: RoleState, floats: FloatPlan | undefined, fractional: boolean): number {
  if (!floats || floats.exact) return 8;
  const stored = savedType(floats.target.dtype, r.inputDType, fractional);
  return floatStorageFor(stored) === "float64" ? 8 : 4;
}
const floatName = (bytes: number) => (bytes === 4 ? "float32" : "float64");
/** 64-bit integer values, read through a float64 copy (float64 values are read in place). */
const wideInteger = (r: RoleState) => r.dtype === "int64" || r.dtype === "uint64";

/** The output grid of one role after an augment step: fixed-size windows change the shape. */
function augmentGeometry(g: Geometry, params: Record<string, unknown>): Geometry {
  let shape = g.shape;
  const entries = (params.transforms as Record<string, Record<string, unknown>>[]) ?? [];
  for (const entry of entries) {
    for (const [name, p] of Object.entries(entry)) {
      const t = TRANSFORMS.find((x) => x.name === name);
      const size = p?.size as (number | null)[] | undefined;
      if (t?.kind !== "spatial" || !Array.isArray(size)) continue;
      const next = [0, 1, 2].map((a) => size[a] ?? shape[a]) as [number, number, number];
      // A window that may not fire (p < 1): the larger of both outcomes.
      const fires = ((p.p as number | undefined) ?? 1) >= 1;
      shape = fires
        ? next
        : (next[0] * next[1] * next[2] > shape[0] * shape[1] * shape[2] ? next : shape);
    }
  }
  return { ...g, shape };
}

function augmentKinds(params: Record<string, unknown>) {
  const entries = (params.transforms as Record<string, Record<string, unknown>>[]) ?? [];
  const list = entries.flatMap((e) =>
    Object.entries(e).map(([name, p]) => ({
      kind: TRANSFORMS.find((t) => t.name === name)?.kind,
      name,
      p: (p?.p as number | undefined) ?? 1,
    }))
  );
  const lastSpatial = list.findLastIndex((e) => e.kind === "spatial");
  const intensity = list.filter((e) => e.kind === "intensity" && e.p > 0);
  return {
    intensity: intensity.length > 0,
    before: list.some((e, i) => e.kind === "intensity" && e.p > 0 && i < lastSpatial),
    biasField: intensity.some((e) => e.name === "bias-field"),
  };
}

/**
 * Estimates the peak working set of one subject through `steps` (the bound recipe) from its
 * roles' headers; see the module comment for what is counted.
 */
export function estimateSubjectPeak(
  inputs: readonly RoleInput[],
  steps: readonly PlannedStep[],
  options: { fixedOverhead?: boolean } = {},
): PeakEstimate {
  let roles: RoleState[] = [];
  /** Volumes kept alive for the whole rest of the subject (pool buffers, fork points). */
  const pinned = new Set<Vol>();
  const all: StepPeak[] = [];
  const overhead = (options.fixedOverhead ?? true) ? IO_OVERHEAD : 0;
  const consider = (s: number, made: readonly Vol[], scratch: number, detail: string) => {
    const current = new Set(roles.map((r) => r.vol));
    const others = [...pinned].filter((v) => !current.has(v));
    const bytes = total(others) + total(current) + total(made) + scratch + overhead;
    all.push({ bytes, step: s, name: steps[s].definition.name, detail });
  };
  const statsStopAfter = (s: number) => {
    const next = steps[s + 1];
    return next?.definition.dataset?.(next.params as never) !== undefined;
  };
  steps.forEach(({ definition: def, params, floats, defer }, s) => {
    if (def.kind === "source") {
      roles = inputs.map((r) => ({
        role: r.role,
        label: r.label,
        geometry: r.geometry,
        dtype: r.dtype,
        inputDType: r.dtype,
        vol: { voxels: voxelsOf(r.geometry), bytes: DTYPE_INFO[r.dtype].bytes },
      }));
      for (const r of roles) pinned.add(r.vol);
      const named = (r: RoleState, i: number) =>
        `${r.role}${inputs[i].file ? ` ${inputs[i].file!.split("/").pop()}` : ""}`;
      consider(
        s,
        [],
        0,
        roles.map((r, i) => `${named(r, i)} ${shapeText(r.geometry)} ${r.dtype}`).join(", "),
      );
      return;
    }
    if (def.kind === "sink") {
      // Items are encoded one at a time; a change of type makes a copy (SPEC §2 dtype rule).
      const dtype = (params.dtype as string | undefined) ?? "auto";
      const target = (r: RoleState): string =>
        dtype in DTYPE_INFO
          ? dtype
          : dtype === "keep" || (r.label && r.dtype.startsWith("float"))
          ? r.inputDType
          : r.fractional
          ? "float32"
          : r.dtype;
      const copies = roles.map((r) =>
        target(r) === r.dtype ? 0 : r.vol.voxels * DTYPE_INFO[target(r) as DType].bytes
      );
      consider(
        s,
        [],
        Math.max(0, ...copies),
        `writing ${roles.map((r) => `${r.role} ${shapeText(r.geometry)} ${target(r)}`).join(", ")}`,
      );
      return;
    }
    if (def.kind === "intensity") {
      const made: Vol[] = [];
      // A deferred role the step reads voxel by voxel (normalize's mask role) is held first
      // (`materializeItems`), for the whole step.
      const used = new Set((def.rolesUsed?.(params as never) ?? []).map((u) => u.role));
      for (const r of roles) if (r.deferred && used.has(r.role)) made.push(r.deferred);
      const next = roles.map((r) => {
        if (r.label) return r;
        const bytes = floatBytes(r, floats, true);
        const vol = { voxels: r.deferred?.voxels ?? r.vol.voxels, bytes };
        made.push(vol);
        return { ...r, dtype: floatName(bytes), vol, fractional: true, deferred: undefined };
      });
      // 64-bit integer frames are copied as float64 for statistics; deferred values are
      // computed again in float64 planes (the resampling's passes).
      const scratch = Math.max(
        0,
        ...roles.map((r) => (wideInteger(r) ? r.vol.voxels / r.geometry.frames * 8 : 0)),
        ...roles.map((r) => (r.deferred ? 5 * r.geometry.shape[0] * r.geometry.shape[1] * 8 : 0)),
      );
      consider(
        s,
        made,
        scratch,
        next.filter((r) => !r.label).map((r) => `${r.role} ${shapeText(r.geometry)} ${r.dtype}`)
          .join(", "),
      );
      roles = next;
      return;
    }
    if (def.kind === "spatial" && def.plan) {
      const made: Vol[] = [];
      let scratch = 0;
      const parts: string[] = [];
      const interpolation = params.interpolation as string | undefined;
      const next = roles.map((r) => {
        const g: Geometry = { ...def.plan!(r.geometry, params), frames: r.geometry.frames };
        const smooth = !r.label && interpolation !== undefined && interpolation !== "nearest";
        const bytes = smooth ? floatBytes(r, floats, r.fractional === true) : r.vol.bytes;
        const vol = { voxels: voxelsOf(g), bytes };
        const antialias = params.antialias === true;
        // Deferred unless the result fits in the input's bytes (held there when consumed:
        // resampleDeferred; the placement is taken by size here), or the statistics pass stops
        // at the next step (it holds the values: run_subject.ts).
        const deferred = defer === true && !statsStopAfter(s) && smooth &&
          total([vol]) > total([r.vol]) &&
          resampleDefers({ interpolation: interpolation as Interpolation, antialias });
        if (!deferred) made.push(vol);
        const dtype = smooth ? floatName(bytes) : r.dtype;
        parts.push(
          `${r.role} ${shapeText(r.geometry)} ${r.dtype} → ${shapeText(g)} ${dtype}${
            deferred ? " (deferred: computed again by the next step, the input kept)" : ""
          }`,
        );
        if (deferred) {
          // Plane buffers only; the input stays until the next step has read the values.
          scratch = Math.max(scratch, 4 * g.shape[0] * g.shape[1] * 8);
          return { ...r, geometry: g, dtype, deferred: vol };
        }
        if (smooth) {
          // Separable passes: float planes; a z line operator needs the whole in-plane stack
          // (float64; for ≤ 16-bit inputs it mostly lies in the consumed input's bytes).
          const f = r.vol.bytes > 2 ? 8 : 4;
          const [nx, ny, nz] = r.geometry.shape, [mx, my] = g.shape;
          const plane = Math.max(nx, mx) * Math.max(ny, my);
          const stack = interpolation === "bspline" || params.antialias === true
            ? mx * my * nz * f
            : 4 * mx * my * f;
          scratch = Math.max(scratch, stack + 3 * plane * 8);
        }
        return { ...r, geometry: g, dtype, vol };
      });
      consider(s, made, scratch, parts.join(", "));
      roles = next;
      return;
    }
    // augment (or a step that may change the grid without plan()): copies fork here.
    const copies = def.copies?.(params) ?? 1;
    if (copies > 1) { for (const r of roles) pinned.add(r.vol); }
    if (def.kind !== "augment") return;
    const kinds = augmentKinds(params);
    const bspline = params.interpolation === "bspline";
    const made: Vol[] = [];
    let scratch = 0;
    const parts: string[] = [];
    const next = roles.map((r) => {
      const g = augmentGeometry(r.geometry, params);
      const float = !r.label && kinds.intensity;
      // Interpolated images without intensity transforms: floats as the plan says.
      const smooth = !r.label && !float && params.interpolation !== "nearest";
      const bytes = float ? 4 : smooth ? floatBytes(r, floats, r.fractional === true) : r.vol.bytes;
      const vol = { voxels: voxelsOf(g), bytes };
      made.push(vol);
      if (!r.label) {
        if (bspline) scratch += r.vol.voxels * 8; // every frame's coefficients at once
        if (kinds.before) scratch += r.vol.voxels * 4;
      }
      if (wideInteger(r) && !float) scratch += vol.voxels * 8; // 64-bit integers via float64
      const dtype = float ? "float32" : smooth ? floatName(bytes) : r.dtype;
      parts.push(`${r.role} ${shapeText(g)} ${dtype}`);
      return { ...r, geometry: g, dtype, vol, fractional: r.fractional || float };
    });
    if (kinds.biasField) {
      scratch += Math.max(
        0,
        ...next.filter((r) => !r.label).map((r) => r.vol.voxels / r.geometry.frames * 8),
      );
    }
    const each = copies > 1 ? ` (each of ${copies} copies, one at a time)` : "";
    consider(
      s,
      made,
      scratch,
      parts.join(", ") + (bspline ? " with B-spline coefficients" : "") + each,
    );
    roles = next;
  });
  const top = all.reduce((a, b) => (b.bytes > a.bytes ? b : a), {
    bytes: 0,
    step: -1,
    name: "",
    detail: "",
  });
  return { ...top, steps: all };
}

/**
 * A lower bound of the peak for *any* input: the smallest input (one uint8 voxel, as a label
 * so no intensity step touches it) at a tiny and at a huge spacing; what stays above the budget
 * for both is fixed by the recipe (resample-to-size, crop sizes), not by the data. The fixed
 * per-subject I/O overhead is left out: a budget too small for any subject fails each subject.
 * @throws the planning error of a step that fails for both inputs
 */
export function estimateRecipeFloor(steps: readonly PlannedStep[]): PeakEstimate {
  const at = (mm: number): RoleInput => ({
    role: "label",
    label: true,
    dtype: "uint8",
    geometry: {
      shape: [1, 1, 1],
      frames: 1,
      affine: [[mm, 0, 0, 0], [0, mm, 0, 0], [0, 0, mm, 0], [0, 0, 0, 1]],
    },
  });
  // A step that cannot plan an input (e.g. too many voxels) says why: a floor for both inputs
  // is the recipe's own problem, for one of them it depends on the data.
  const tries = [at(1e-4), at(1e4)].map((input) => {
    try {
      return estimateSubjectPeak([input], steps, { fixedOverhead: false });
    } catch (e) {
      return e instanceof Error ? e : new Error(String(e));
    }
  });
  const ok = tries.filter((t): t is PeakEstimate => !(t instanceof Error));
  if (ok.length === 0) throw tries[0];
  return ok.reduce((a, b) => (a.bytes <= b.bytes ? a : b));
}
