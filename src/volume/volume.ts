import type { DType, NumberArray, VoxelArray } from "./dtype.ts";
import { dtypeOf } from "./dtype.ts";
import { type Affine, columnNorms } from "./affine.ts";
import type { Grid } from "./grid.ts";

/** Header fields a writer copies from the input where still meaningful (SPEC §2). */
export interface VolumeMeta {
  /** qform_code / sform_code of the source (0 when unknown). */
  qformCode: number;
  /** sform_code of the source (0 when unknown). */
  sformCode: number;
  /** Raw xyzt_units byte (0 = unknown). */
  xyztUnits: number;
  /** NIfTI intent_code. */
  intentCode: number;
  /** NIfTI intent_name. */
  intentName: string;
  /** NIfTI intent_p1..p3. */
  intentP: [number, number, number];
  /** NIfTI cal_min (display range). */
  calMin: number;
  /** NIfTI cal_max (display range). */
  calMax: number;
  /** NIfTI descrip (free text). */
  descrip: string;
  /** pixdim[4] (time step) for 4D data, 0 otherwise. */
  timeStep: number;
}

/**
 * A 3D volume or a stack of 3D volumes (frames) sharing one grid.
 * `data` holds the stored (raw) values, x fastest, then y, z, frame;
 * the real value of a voxel is `raw * slope + inter`.
 */
export interface Volume extends Grid {
  /** Spatial size [nx, ny, nz]. */
  readonly shape: readonly [number, number, number];
  /** Number of 3D volumes (the 4th dimension; 1 for a 3D image). */
  readonly frames: number;
  /** Storage type of `data`. */
  readonly dtype: DType;
  /** Stored values, x fastest, then y, z, frame. */
  readonly data: VoxelArray;
  /** Effective scaling (1 and 0 when the file has none). */
  readonly slope: number;
  /** Effective intercept (0 when the file has none). */
  readonly inter: number;
  /** Voxel (i, j, k) → world RAS+ mm. */
  readonly affine: Affine;
  /** Header fields kept for writing. */
  readonly meta: VolumeMeta;
}

/** Default header metadata for a volume made from scratch. */
export function createMeta(overrides: Partial<VolumeMeta> = {}): VolumeMeta {
  return {
    qformCode: 0,
    sformCode: 0,
    xyztUnits: 2,
    intentCode: 0,
    intentName: "",
    intentP: [0, 0, 0],
    calMin: 0,
    calMax: 0,
    descrip: "",
    timeStep: 0,
    ...overrides,
  };
}

/** Builds a volume, checking that `data` matches shape × frames. */
export function createVolume(init: {
  shape: readonly [number, number, number];
  data: VoxelArray;
  affine: Affine;
  frames?: number;
  slope?: number;
  inter?: number;
  meta?: Partial<VolumeMeta>;
}): Volume {
  const frames = init.frames ?? 1;
  const n = init.shape[0] * init.shape[1] * init.shape[2] * frames;
  if (init.data.length !== n) {
    throw new RangeError(
      `Cannot create volume of shape ${
        init.shape.join("x")
      }x${frames}: data has ${init.data.length} voxels, expected ${n}`,
    );
  }
  return {
    shape: [init.shape[0], init.shape[1], init.shape[2]],
    frames,
    dtype: dtypeOf(init.data),
    data: init.data,
    slope: init.slope ?? 1,
    inter: init.inter ?? 0,
    affine: init.affine,
    meta: createMeta(init.meta),
  };
}

/**
 * The volume with cal_min = cal_max = 0, for a step that changed what its values mean
 * (clip, normalize, intensity augmentation): viewers then autoscale (SPEC §2).
 */
export function withoutCalibration(volume: Volume): Volume {
  if (volume.meta.calMin === 0 && volume.meta.calMax === 0) return volume;
  return { ...volume, meta: { ...volume.meta, calMin: 0, calMax: 0 } };
}

/** Number of voxels in one frame. */
export function frameLength(volume: Volume): number {
  return volume.shape[0] * volume.shape[1] * volume.shape[2];
}

/** Voxel spacing in mm: the column norms of the affine (SPEC §1). */
export function deriveSpacing(volume: Volume): [number, number, number] {
  return columnNorms(volume.affine);
}

/**
 * The stored values as plain numbers: the array itself, or a Float64Array copy
 * for 64-bit integer storage.
 */
export function numericData(volume: Volume): NumberArray {
  const d = volume.data;
  if (d instanceof BigInt64Array || d instanceof BigUint64Array) {
    const out = new Float64Array(d.length);
    for (let i = 0; i < d.length; i++) out[i] = Number(d[i]);
    return out;
  }
  return d;
}

/** Real (scaled) value of voxel at flat index `i`. */
export function valueAt(volume: Volume, i: number): number {
  const raw = Number(volume.data[i]);
  return raw * volume.slope + volume.inter;
}
