import {
  createVoxelArray,
  type DType,
  DTYPE_INFO,
  isIntegerDType,
  roundHalfAwayFromZero,
} from "./dtype.ts";
import { withData } from "./intensity.ts";
import { frameNumbers } from "./stats.ts";
import type { Volume } from "./volume.ts";

/** The fields of a recipe item (steps/step.ts `Item` extends it) that decide its stored type. */
export interface EncodableItem {
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
  /** Why the current dtype differs from the input's, for provenance (unset while it does not). */
  readonly dtypeReason?: string;
}

/** What `save` writes for one item: the volume to store, its type, why, and clamped voxels. */
export interface EncodedItem {
  volume: Volume;
  dtype: DType;
  /** Human sentence for provenance, e.g. "float32: normalize made values fractional". */
  reason: string;
  /** Voxels whose value did not fit the type (clamped to its range; NaN written as 0 in integers). */
  clamped: number;
}

/** Integer types a label map stored as float is written in, smallest first (SPEC §2). */
const LABEL_TYPES: readonly DType[] = ["uint8", "int16", "int32"];

/**
 * Chooses the stored type of an item for `save` (SPEC §2) and re-encodes its values when
 * the type changes: `auto` keeps the current storage, `keep` the input file's type, an
 * explicit type is used as given; integers are rounded half away from zero and clamped.
 * Label roles always get an integer type.
 */
export function encodeForSave(item: EncodableItem, dtype: "auto" | "keep" | DType): EncodedItem {
  const current = item.volume.dtype;
  if (item.label) return encodeLabel(item, dtype);
  if (dtype === "auto") {
    const reason = current === item.inputDType
      ? `kept input type ${current}`
      : `${current}: ${item.dtypeReason ?? `current storage type (input was ${item.inputDType})`}`;
    return { volume: item.volume, dtype: current, reason, clamped: 0 };
  }
  if (dtype === "keep") {
    // The input's storage type with the input's scaling (SPEC §2: values re-encoded).
    const slope = item.inputSlope ?? 1, inter = item.inputInter ?? 0;
    const scaled = slope !== 1 || inter !== 0;
    const head = `kept input type ${item.inputDType}` +
      (scaled && isIntegerDType(item.inputDType) ? ` with slope ${slope}, inter ${inter}` : "");
    return reencode(item.volume, item.inputDType, head, { slope, inter });
  }
  return reencode(item.volume, dtype, `explicit ${dtype}`);
}

function encodeLabel(item: EncodableItem, dtype: "auto" | "keep" | DType): EncodedItem {
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
  return reencode(item.volume, target, head);
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
  return LABEL_TYPES.find((d) => lo >= DTYPE_INFO[d].min && hi <= DTYPE_INFO[d].max) ?? "int32";
}

/**
 * Stores the real values of `volume` as `target` unless it already is, with `scaling`
 * (raw = (value − inter) / slope) for integer targets; slope 1, inter 0 otherwise.
 */
function reencode(
  volume: Volume,
  target: DType,
  head: string,
  scaling: { slope: number; inter: number } = { slope: 1, inter: 0 },
): EncodedItem {
  if (volume.dtype === target) return { volume, dtype: target, reason: head, clamped: 0 };
  const scaled = isIntegerDType(target) && (scaling.slope !== 1 || scaling.inter !== 0);
  const outSlope = scaled ? scaling.slope : 1, outInter = scaled ? scaling.inter : 0;
  const out = createVoxelArray(target, volume.data.length);
  const { slope, inter } = volume;
  const { min, max, integer } = DTYPE_INFO[target];
  const big = out instanceof BigInt64Array || out instanceof BigUint64Array;
  // 2^63 − 1 and 2^64 − 1 are not doubles: the saturated maximum is written exactly.
  const bigMax = target === "int64" ? (1n << 63n) - 1n : (1n << 64n) - 1n;
  let clamped = 0, nan = 0, n = 0;
  for (let t = 0; t < volume.frames; t++) {
    const src = frameNumbers(volume, t);
    for (let i = 0; i < src.length; i++, n++) {
      let v = src[i] * slope + inter;
      if (scaled) v = (v - outInter) / outSlope;
      if (v !== v) {
        if (!integer) {
          (out as Float32Array)[n] = NaN;
          continue;
        }
        nan++;
        v = 0;
      } else if (integer) v = roundHalfAwayFromZero(v);
      else if (!Number.isFinite(v)) {
        (out as Float32Array)[n] = v; // ±Infinity is a float value: kept
        continue;
      }
      if (v < min) {
        v = min;
        clamped++;
      } else if (v > max) {
        v = max;
        clamped++;
      }
      if (big) (out as BigInt64Array)[n] = v === max ? bigMax : BigInt(v);
      else (out as Float32Array)[n] = v;
    }
  }
  const notes = [];
  if (clamped > 0) notes.push(`${voxels(clamped)} clamped to [${min}, ${max}]`);
  if (nan > 0) notes.push(`${voxels(nan)} NaN written as 0`);
  const reason = notes.length > 0 ? `${head}: ${notes.join(", ")}` : head;
  return {
    volume: withData(volume, out, outSlope, outInter),
    dtype: target,
    reason,
    clamped: clamped + nan,
  };
}

function voxels(n: number): string {
  return n === 1 ? "1 voxel" : `${n} voxels`;
}
