/**
 * Stacking volumes of one grid into the frames (channels) of one volume (pure math). Stored
 * values are copied bit for bit when every volume has the same type and scaling; otherwise the
 * real values go into one type that holds each of them exactly.
 */
import {
  createVoxelArray,
  type DType,
  labelTypeHolding,
  type NumberArray,
  roundHalfAwayFromZero,
} from "./dtype.ts";
import { createVolume, frameLength, numericData, type Volume } from "./volume.ts";

/** Types whose every value is exact in float32 (with scaling 1, 0). */
const FLOAT32_EXACT: readonly DType[] = ["uint8", "int8", "int16", "uint16", "float32"];

/**
 * The type every volume's real values are stored in: the shared type when type and scaling
 * agree; else for labels the smallest of uint8/int16/int32 holding them, for images float32
 * when each is exact in it, else float64.
 * @throws RangeError when label values do not fit int32
 */
function commonType(volumes: readonly Volume[], label: boolean): { dtype: DType; raw: boolean } {
  const [first] = volumes;
  const same = volumes.every((v) =>
    v.dtype === first.dtype && v.slope === first.slope && v.inter === first.inter
  );
  if (same) return { dtype: first.dtype, raw: true };
  if (label) {
    let lo = 0, hi = 0;
    for (const v of volumes) {
      const d = numericData(v);
      for (let i = 0; i < d.length; i++) {
        const x = roundHalfAwayFromZero(d[i] * v.slope + v.inter);
        if (x < lo) lo = x;
        if (x > hi) hi = x;
      }
    }
    const dtype = labelTypeHolding(lo, hi);
    if (!dtype) {
      throw new RangeError(`Cannot stack label values ${lo}..${hi}: they do not fit int32`);
    }
    return { dtype, raw: false };
  }
  const exact = volumes.every((v) =>
    FLOAT32_EXACT.includes(v.dtype) && v.slope === 1 && v.inter === 0
  );
  return { dtype: exact ? "float32" : "float64", raw: false };
}

/**
 * One volume whose frames are the frames of `volumes` in order (their grid, header and — when
 * types agree — type and scaling are the first's); `converted` when real values had to move to
 * a common type.
 * @throws RangeError when the volumes' shapes differ
 */
export function stackVolumes(
  volumes: readonly Volume[],
  options: { label: boolean },
): { volume: Volume; converted: boolean } {
  const [first] = volumes;
  if (volumes.some((v) => v.shape.some((n, a) => n !== first.shape[a]))) {
    throw new RangeError(
      `Cannot stack volumes of shapes ${volumes.map((v) => v.shape.join("x")).join(", ")}`,
    );
  }
  const { dtype, raw } = commonType(volumes, options.label);
  const frames = volumes.reduce((n, v) => n + v.frames, 0);
  const n = frameLength(first);
  const out = createVoxelArray(dtype, n * frames);
  let at = 0;
  for (const v of volumes) {
    if (raw) {
      (out as Float64Array).set(v.data as Float64Array, at); // same type: exact copy
    } else {
      const d = numericData(v), o = out as NumberArray;
      for (let i = 0; i < d.length; i++) {
        const x = d[i] * v.slope + v.inter;
        o[at + i] = options.label ? roundHalfAwayFromZero(x) : x;
      }
    }
    at += v.data.length;
  }
  const volume = createVolume({
    shape: first.shape,
    frames,
    data: out,
    affine: first.affine.map((row) => [...row]),
    slope: raw ? first.slope : 1,
    inter: raw ? first.inter : 0,
    // Channels are not time points: no time step.
    meta: { ...first.meta, intentP: [...first.meta.intentP], timeStep: 0 },
  });
  return { volume, converted: !raw };
}
