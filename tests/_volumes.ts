/**
 * The one fixture helper of the tests: tiny synthetic volumes (odd unequal sizes, an oblique
 * anisotropic affine), subjects made of them and step contexts.
 */
import { createVoxelArray, type DType } from "../src/volume/dtype.ts";
import type { Affine } from "../src/volume/affine.ts";
import { createVolume, type Volume } from "../src/volume/volume.ts";
import type { Item, StepContext, StepRecord, Subject } from "../src/steps/step.ts";
import type { FloatPlan } from "../src/volume/encode.ts";

/** An oblique, anisotropic affine (0.9 × 1.1 × 2.5 mm, rotated 12° about z, 8° about x). */
export function obliqueAffine(spacing: [number, number, number] = [0.9, 1.1, 2.5]): Affine {
  const a = (12 * Math.PI) / 180, b = (-8 * Math.PI) / 180;
  const rz = [[Math.cos(a), -Math.sin(a), 0], [Math.sin(a), Math.cos(a), 0], [0, 0, 1]];
  const rx = [[1, 0, 0], [0, Math.cos(b), -Math.sin(b)], [0, Math.sin(b), Math.cos(b)]];
  const r = [0, 1, 2].map((i) =>
    [0, 1, 2].map((j) => rz[i][0] * rx[0][j] + rz[i][1] * rx[1][j] + rz[i][2] * rx[2][j])
  );
  return [
    [r[0][0] * spacing[0], r[0][1] * spacing[1], r[0][2] * spacing[2], -10.5],
    [r[1][0] * spacing[0], r[1][1] * spacing[1], r[1][2] * spacing[2], 20.25],
    [r[2][0] * spacing[0], r[2][1] * spacing[1], r[2][2] * spacing[2], -4],
    [0, 0, 0, 1],
  ];
}

/**
 * A small synthetic volume (default 5×6×7, int16, oblique anisotropic affine) whose
 * stored value at (i, j, k, t) is `fn(i, j, k, t)` (default: a smooth ramp).
 */
export function makeVolume(options: {
  shape?: [number, number, number];
  frames?: number;
  dtype?: DType;
  affine?: Affine;
  slope?: number;
  inter?: number;
  fn?: (i: number, j: number, k: number, t: number) => number;
} = {}): Volume {
  const shape = options.shape ?? [5, 6, 7];
  const frames = options.frames ?? 1;
  const dtype = options.dtype ?? "int16";
  const fn = options.fn ?? ((i, j, k, t) => i + 10 * j + 100 * k + 1000 * t);
  const data = createVoxelArray(dtype, shape[0] * shape[1] * shape[2] * frames);
  let n = 0;
  for (let t = 0; t < frames; t++) {
    for (let k = 0; k < shape[2]; k++) {
      for (let j = 0; j < shape[1]; j++) {
        for (let i = 0; i < shape[0]; i++) {
          const v = fn(i, j, k, t);
          if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
            data[n++] = BigInt(Math.round(v));
          } else data[n++] = v;
        }
      }
    }
  }
  return createVolume({
    shape,
    frames,
    data,
    affine: options.affine ?? obliqueAffine(),
    slope: options.slope,
    inter: options.inter,
    meta: { qformCode: 1, sformCode: 1 },
  });
}

/**
 * A subject holding one item per role of `items` (role → volume). Roles named `label…` are label
 * maps unless `labels` lists the label roles; sources are `/data/<role>.nii.gz`.
 */
export function makeSubject(
  items: Record<string, Volume>,
  options: { id?: string; copy?: number; labels?: readonly string[] } = {},
): Subject {
  const isLabel = (role: string) => options.labels?.includes(role) ?? role.startsWith("label");
  return {
    id: options.id ?? "s1",
    copy: options.copy ?? 0,
    items: Object.entries(items).map(([role, volume]): Item => ({
      role,
      label: isLabel(role),
      volume,
      inputDType: volume.dtype,
      sourcePath: `/data/${role}.nii.gz`,
    })),
  };
}

/**
 * The bound plan's word for a step followed only by `save: { dtype: auto }`: float results may
 * be held in float32 (`floatStorageOf`). `{ exact: true }` is the word when a later step computes.
 */
export const AUTO_SAVE: FloatPlan = {
  exact: false,
  target: { dtype: "auto", rounding: "nearest" },
};

/**
 * A step context for subject `s1` (step 1, copy 0, seed 1 unless given) that collects warnings;
 * as if `save: { dtype: auto }` followed (`floats`: AUTO_SAVE unless given).
 */
export function makeContext(
  options: {
    seed?: number;
    copy?: number;
    replay?: StepRecord;
    subjectId?: string;
    floats?: FloatPlan;
  } = {},
): StepContext & { warnings: string[] } {
  const warnings: string[] = [];
  return {
    subjectId: options.subjectId ?? "s1",
    stepIndex: 1,
    copy: options.copy ?? 0,
    seed: options.seed ?? 1,
    floats: options.floats ?? AUTO_SAVE,
    ...(options.replay ? { replay: options.replay } : {}),
    warnings,
    warn: (m: string) => void warnings.push(m),
  };
}

/** The item of `role` in `subject`. */
export function itemOf(subject: Subject, role: string): Item {
  const it = subject.items.find((i) => i.role === role);
  if (!it) throw new Error(`Cannot find role "${role}" in subject "${subject.id}"`);
  return it;
}
