import {
  createVoxelArray,
  type DType,
  DTYPE_INFO,
  type FloatStorage,
  isIntegerDType,
  labelTypeHolding,
  roundAndClamp,
  roundHalfAwayFromZero,
  type Rounding,
} from "./dtype.ts";
import { withData } from "./intensity.ts";
import { frameNumbers } from "./stats.ts";
import type { Volume } from "./volume.ts";

/** The fields of a recipe item (steps/step.ts `Item` extends it) that decide its stored type. */
export interface EncodableItem {
  /** Manifest column (named in warnings). */
  readonly role?: string;
  /** Label maps are never interpolated (nearest only) nor cast to float. */
  readonly label: boolean;
  /** The current voxels and geometry. */
  readonly volume: Volume;
  /** Storage type of the input file (what `save: { dtype: keep }` writes). */
  readonly inputDType: DType;
  /** Scaling of the input file (`keep` re-encodes with it); 1 and 0 when absent. */
  readonly inputSlope?: number;
  /** Intercept of the input file; 0 when absent. */
  readonly inputInter?: number;
  /**
   * Why values stopped being of the input's kind (a step made them fractional on purpose:
   * normalize, intensity augmentation, non-representable clip bounds), for provenance.
   * Unset while they are of the input's kind — possibly fractional after resampling, then
   * `auto` rounds them back into the input's type (SPEC §2).
   */
  readonly dtypeReason?: string;
  /** Set when the step before the sink already rounded the values for it (`PreEncoded`). */
  readonly saveEncoded?: PreEncoded;
}

/** What `save` writes for one item: the volume to store, its type, why, and clamped voxels. */
export interface EncodedItem {
  volume: Volume;
  dtype: DType;
  /** Human sentence for provenance, e.g. "float32: normalize made values fractional". */
  reason: string;
  /** Voxels whose value did not fit the type (clamped to its range; NaN written as 0 in integers). */
  clamped: number;
  /** What the user should know (clamped or NaN voxels, labels that do not look like labels). */
  warnings: string[];
}

/** How `save` stores values (its `dtype` and `rounding` params). */
export interface SaveEncoding {
  rounding?: Rounding;
}

/** The sink's encoding (its `dtype` and `rounding`), as the step right before it sees it. */
export interface SaveTarget {
  /** The sink's `dtype` param. */
  readonly dtype: "auto" | "keep" | DType;
  /** The sink's `rounding` param. */
  readonly rounding: Rounding;
}

/**
 * Where a step's float results go (the bound plan's `BoundStep.floats`, SPEC §2: "a smaller
 * storage type only where no later step and no output can see the difference"):
 * - `exact`: a later step computes from them (statistics, intensity maps, interpolation) or the
 *   output stores float64 — they are kept in float64, the float pipeline's values;
 * - otherwise only steps that move values (`movesValues`) and then the sink with `target` see
 *   them, and float32 is invisible there (`floatStorageOf`).
 */
export type FloatPlan =
  | { readonly exact: true }
  | { readonly exact: false; readonly target: SaveTarget };

/** The units of real values (no scaling): what clip, normalize and resample-to-reference make. */
export const REAL_UNITS = { slope: 1, inter: 0 } as const;

/**
 * The storage of `item`'s float results under `plan` (absent: `exact`), `item` as the step
 * hands it on (with its `dtypeReason`), the results in units of `scaling` (real value = stored
 * × slope + inter; default the item's volume's): float64 unless only the sink sees them; then
 * float32 when the sink stores float32 (the nearest float32 is what it stores), `float32Keeping`
 * when it stores an integer type of at most 16 bits (rounded and clamped there exactly as the
 * float64 value), float64 for wider types — and float64 whenever the sink re-encodes into
 * other units than the stored ones (a scaled input saved as an explicit type, or after a step
 * that made real values, with `keep`): float32 in one unit is not the nearest in another.
 */
export function floatStorageOf(
  item: EncodableItem,
  plan: FloatPlan | undefined,
  scaling: { slope: number; inter: number } = item.volume,
): FloatStorage {
  if (!plan || plan.exact || item.label) return "float64";
  const { dtype } = plan.target;
  const ofInput = item.dtypeReason === undefined;
  const stored = savedType(dtype, item.inputDType, !ofInput);
  // The units save writes in (encodeForSave): auto of values of the input's kind keeps the
  // volume's own, keep the input's (integers; floats stay as stored), anything else real values.
  const keepUnits = { slope: item.inputSlope ?? 1, inter: item.inputInter ?? 0 };
  const units = dtype === "auto" && ofInput
    ? scaling
    : dtype === "keep"
    ? (isIntegerDType(stored) ? keepUnits : scaling)
    : REAL_UNITS;
  if (units.slope !== scaling.slope || units.inter !== scaling.inter) return "float64";
  return floatStorageFor(stored);
}

/**
 * The type `save` with `dtype` stores an image in (SPEC §2): `auto` the input's while values
 * are of its kind, float32 once a step made them `fractional`; `keep` the input's.
 */
export function savedType(
  dtype: SaveTarget["dtype"],
  inputDType: DType,
  fractional: boolean,
): DType {
  if (dtype === "auto") return fractional ? "float32" : inputDType;
  return dtype === "keep" ? inputDType : dtype;
}

/**
 * The float storage invisible in an output of type `stored` (same units): the nearest float32
 * for float32, `float32Keeping` for integers of at most 16 bits, float64 otherwise.
 */
export function floatStorageFor(stored: DType): FloatStorage {
  if (stored === "float32") return "float32";
  return isIntegerDType(stored) && DTYPE_INFO[stored].bytes <= 2 ? "float32-keeping" : "float64";
}

/**
 * Values a step directly before the sink already rounded and clamped into the type `save`
 * stores (`directSaveType`), exactly as `save` would have from the float values it skipped
 * (SPEC §2: the result equals the float pipeline's bit for bit after save).
 */
export interface PreEncoded {
  /** The stored type the values were rounded into. */
  readonly dtype: DType;
  /** The rounding used (the sink's). */
  readonly rounding: Rounding;
  /** Voxels whose rounded value was clamped to the type's range. */
  readonly clamped: number;
  /** NaN values written as 0. */
  readonly nan: number;
  /** The float type the values would have had between the steps (recorded in provenance). */
  readonly between: DType;
}

/**
 * The integer type `save` with `target` stores `item` in by rounding its raw values as they
 * are (no change of scaling), when that type is the input's (≤ 32-bit) and the item is not a
 * label; undefined otherwise. A step right before the sink may then emit that type directly.
 */
export function directSaveType(item: EncodableItem, target: SaveTarget): DType | undefined {
  if (item.label) return undefined;
  const { slope, inter } = item.volume;
  let dtype: DType, outSlope = 1, outInter = 0;
  if (target.dtype === "auto") {
    if (item.dtypeReason !== undefined) return undefined;
    // Re-encoded with the volume's own scaling: always its raw values.
    [dtype, outSlope, outInter] = [item.inputDType, slope, inter];
  } else if (target.dtype === "keep") {
    dtype = item.inputDType;
    const s = item.inputSlope ?? 1, i = item.inputInter ?? 0;
    if (s !== 1 || i !== 0) [outSlope, outInter] = [s, i];
  } else dtype = target.dtype;
  const fits = dtype === item.inputDType && isIntegerDType(dtype) && DTYPE_INFO[dtype].bytes <= 4;
  return fits && slope === outSlope && inter === outInter ? dtype : undefined;
}

/**
 * Chooses the stored type of an item for `save` (SPEC §2) and re-encodes its values when
 * the type changes: `auto` keeps the input's type (and scaling) while values are of the
 * input's kind, else float32; `keep` the input file's type; an explicit type
 * is used as given. Integers are rounded (`rounding`, default half away from zero) and
 * clamped. Label roles always get an integer type.
 */
export function encodeForSave(
  item: EncodableItem,
  dtype: "auto" | "keep" | DType,
  options: SaveEncoding = {},
): EncodedItem {
  const rounding = options.rounding ?? "nearest";
  if (item.label) return encodeLabel(item, dtype, rounding);
  const pre = item.saveEncoded;
  if (dtype === "auto") {
    if (item.dtypeReason !== undefined) {
      if (pre) throw new Error(`Cannot save role "${item.role}": its values were rounded early`);
      // SPEC §2: float32 once a step made values fractional on purpose (float64 values held
      // between steps, `floatStorageOf`, are rounded to the nearest float32 here).
      return reencode(item.volume, "float32", `float32: ${item.dtypeReason}`, { rounding });
    }
    // Still of the input's kind (e.g. resampled): back into the input's type, raw units.
    const { slope, inter } = item.volume;
    return reencode(item.volume, item.inputDType, `kept input type ${item.inputDType}`, {
      scaling: { slope, inter },
      rounding,
      pre,
    });
  }
  if (dtype === "keep") {
    // The input's storage type with the input's scaling (SPEC §2: values re-encoded).
    const slope = item.inputSlope ?? 1, inter = item.inputInter ?? 0;
    const scaled = slope !== 1 || inter !== 0;
    const head = `kept input type ${item.inputDType}` +
      (scaled && isIntegerDType(item.inputDType) ? ` with slope ${slope}, inter ${inter}` : "");
    return reencode(item.volume, item.inputDType, head, {
      scaling: { slope, inter },
      rounding,
      pre,
    });
  }
  return reencode(item.volume, dtype, `explicit ${dtype}`, { rounding, pre });
}

function encodeLabel(
  item: EncodableItem,
  dtype: "auto" | "keep" | DType,
  rounding: Rounding,
): EncodedItem {
  const current = item.volume.dtype;
  let target: DType, head: string;
  if (dtype !== "auto" && dtype !== "keep" && isIntegerDType(dtype)) {
    [target, head] = [dtype, `label, explicit ${dtype}`];
  } else if (dtype === "keep" && isIntegerDType(item.inputDType)) {
    [target, head] = [item.inputDType, `label, kept input type ${item.inputDType}`];
  } else if (isIntegerDType(current)) {
    target = current;
    head = current === item.inputDType ? `label, kept input type ${current}` : `label, ${current}`;
  } else if (isIntegerDType(item.inputDType)) {
    [target, head] = [item.inputDType, `label, input type ${item.inputDType} (was ${current})`];
  } else {
    target = smallestLabelType(item.volume);
    head = `label, ${target}: smallest integer type holding the values (was ${current})`;
  }
  if (dtype !== "auto" && dtype !== "keep" && !isIntegerDType(dtype)) {
    head += ` (${dtype} requested; label roles always keep an integer type)`;
  }
  // Back into the input's type: with the scaling the label's raw values carry (its input's).
  const { slope, inter } = item.volume;
  const scaling = target === item.inputDType && dtype !== target ? { slope, inter } : undefined;
  return reencode(item.volume, target, head, {
    scaling,
    rounding,
    labelRole: item.role ?? "label",
  });
}

/** The smallest of uint8/int16/int32 holding every rounded real value (int32 if none does). */
function smallestLabelType(volume: Volume): DType {
  let lo = 0, hi = 0;
  for (let t = 0; t < volume.frames; t++) {
    const src = frameNumbers(volume, t);
    for (let i = 0; i < src.length; i++) {
      const v = src[i] * volume.slope + volume.inter;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  lo = roundHalfAwayFromZero(lo);
  hi = roundHalfAwayFromZero(hi);
  return labelTypeHolding(lo, hi) ?? "int32";
}

/**
 * Stores the real values of `volume` as `target` unless it already is, with `scaling`
 * (raw = (value − inter) / slope) for integer targets; slope 1, inter 0 otherwise. When the
 * volume already has the target's scaling its raw values are rounded directly (no round trip
 * through real units). For a label role, fractional and NaN values are warned about.
 */
function reencode(
  volume: Volume,
  target: DType,
  head: string,
  options: {
    scaling?: { slope: number; inter: number };
    rounding: Rounding;
    labelRole?: string;
    pre?: PreEncoded;
  },
): EncodedItem {
  const { scaling = { slope: 1, inter: 0 }, rounding, labelRole, pre } = options;
  const integer = isIntegerDType(target);
  const scaled = integer && (scaling.slope !== 1 || scaling.inter !== 0);
  const outSlope = scaled ? scaling.slope : 1, outInter = scaled ? scaling.inter : 0;
  // Raw values already in the target's units: rounded as they are.
  const direct = volume.slope === outSlope && volume.inter === outInter;
  if (pre) {
    // Rounded by the step before (directSaveType): recorded as this function would have.
    if (pre.dtype !== target || pre.rounding !== rounding || volume.dtype !== target || !direct) {
      throw new Error(`Cannot save as ${target}: the values were rounded early into ${pre.dtype}`);
    }
    return finish(volume, volume.data, target, head, {
      ...pre,
      fractional: 0,
      labelRole,
      outSlope,
      outInter,
    });
  }
  // Already stored so: as it is — unless an explicit float type asks for real values (a float
  // volume in scaled units, e.g. a resampled int16 with slope, holds no float32 values yet).
  if (volume.dtype === target && (integer || direct || options.scaling !== undefined)) {
    return { volume, dtype: target, reason: head, clamped: 0, warnings: [] };
  }
  const out = createVoxelArray(target, volume.data.length);
  const { slope, inter } = volume;
  const { min, max } = DTYPE_INFO[target];
  const big = out instanceof BigInt64Array || out instanceof BigUint64Array;
  // 2^63 − 1 and 2^64 − 1 are not doubles: the saturated maximum is written exactly.
  const bigMax = target === "int64" ? (1n << 63n) - 1n : (1n << 64n) - 1n;
  let clamped = 0, nan = 0, fractional = 0, n = 0;
  for (let t = 0; t < volume.frames; t++) {
    const src = frameNumbers(volume, t);
    for (let i = 0; i < src.length; i++, n++) {
      let v = direct ? src[i] : (src[i] * slope + inter - outInter) / outSlope;
      if (!integer) {
        (out as Float32Array)[n] = v; // floats keep NaN and ±Infinity
        continue;
      }
      if (v !== v) nan++;
      else if (labelRole !== undefined && v !== Math.trunc(v) && v - v === 0) fractional++;
      const r = roundAndClamp(v, min, max, rounding);
      // At a bound: clamped unless the value rounds to it anyway.
      if (
        (r === min || r === max) && v === v && roundAndClamp(v, -Infinity, Infinity, rounding) !== r
      ) {
        clamped++;
      }
      v = r;
      if (big) (out as BigInt64Array)[n] = v === max ? bigMax : BigInt(v);
      else (out as Float32Array)[n] = v;
    }
  }
  return finish(volume, out, target, head, {
    clamped,
    nan,
    fractional,
    rounding,
    labelRole,
    outSlope,
    outInter,
  });
}

/** The encoded item with its provenance sentence and warnings from the counts. */
function finish(
  volume: Volume,
  out: Volume["data"],
  target: DType,
  head: string,
  counts: {
    clamped: number;
    nan: number;
    fractional: number;
    rounding: Rounding;
    labelRole?: string;
    outSlope: number;
    outInter: number;
  },
): EncodedItem {
  const { clamped, nan, fractional, rounding, labelRole } = counts;
  const { min, max } = DTYPE_INFO[target];
  const integer = isIntegerDType(target);
  const { outSlope, outInter } = counts;
  const notes = [], warnings = [];
  if (clamped > 0) {
    notes.push(`${voxels(clamped)} clamped to [${min}, ${max}]`);
    warnings.push(`${voxels(clamped)} clamped into the range of ${target}`);
  }
  if (nan > 0) {
    notes.push(`${voxels(nan)} NaN written as 0`);
    warnings.push(
      labelRole === undefined
        ? `${voxels(nan)} NaN written as 0 (${target} has no NaN)`
        : `label role "${labelRole}" has ${nan} NaN voxel${nan === 1 ? "" : "s"} (written as 0)`,
    );
  }
  if (labelRole !== undefined && fractional > 0) {
    const how = rounding === "truncate" ? "truncated" : "rounded";
    warnings.push(
      `label role "${labelRole}" has ${fractional} non-integer values (is it really a label map?); ${how} to ${target}`,
    );
  }
  if (rounding === "truncate" && integer) head += " (rounding: truncate)";
  const reason = notes.length > 0 ? `${head}: ${notes.join(", ")}` : head;
  return {
    volume: withData(volume, out, outSlope, outInter),
    dtype: target,
    reason,
    clamped: clamped + nan,
    warnings,
  };
}

function voxels(n: number): string {
  return n === 1 ? "1 voxel" : `${n} voxels`;
}
