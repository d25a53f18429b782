/** Voxel storage types medprep reads, computes with and writes (SPEC §1–2). */
export const DTYPES = [
  "uint8",
  "int8",
  "int16",
  "uint16",
  "int32",
  "uint32",
  "int64",
  "uint64",
  "float32",
  "float64",
] as const;

/** One of the supported voxel storage types. */
export type DType = typeof DTYPES[number];

/** A typed array holding voxels of one of the supported types. */
export type VoxelArray =
  | Uint8Array
  | Int8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | Float32Array
  | Float64Array;

/** A typed array of plain numbers (every supported type except the 64-bit integers). */
export type NumberArray = Exclude<VoxelArray, BigInt64Array | BigUint64Array>;

interface DTypeInfo {
  readonly bytes: number;
  readonly integer: boolean;
  readonly min: number;
  readonly max: number;
  readonly niftiCode: number;
}

/** Size, range and NIfTI datatype code of every supported type. */
export const DTYPE_INFO: Readonly<Record<DType, DTypeInfo>> = {
  uint8: { bytes: 1, integer: true, min: 0, max: 255, niftiCode: 2 },
  int8: { bytes: 1, integer: true, min: -128, max: 127, niftiCode: 256 },
  int16: { bytes: 2, integer: true, min: -32768, max: 32767, niftiCode: 4 },
  uint16: { bytes: 2, integer: true, min: 0, max: 65535, niftiCode: 512 },
  int32: { bytes: 4, integer: true, min: -2147483648, max: 2147483647, niftiCode: 8 },
  uint32: { bytes: 4, integer: true, min: 0, max: 4294967295, niftiCode: 768 },
  int64: {
    bytes: 8,
    integer: true,
    min: -9223372036854775808,
    max: 9223372036854775807,
    niftiCode: 1024,
  },
  uint64: { bytes: 8, integer: true, min: 0, max: 18446744073709551615, niftiCode: 1280 },
  float32: {
    bytes: 4,
    integer: false,
    min: -3.4028234663852886e38,
    max: 3.4028234663852886e38,
    niftiCode: 16,
  },
  float64: {
    bytes: 8,
    integer: false,
    min: -Number.MAX_VALUE,
    max: Number.MAX_VALUE,
    niftiCode: 64,
  },
};

/** Whether `dtype` stores integers. */
export function isIntegerDType(dtype: DType): boolean {
  return DTYPE_INFO[dtype].integer;
}

/** Where large voxel arrays come from (a worker's subject-scoped pool; see below). */
let voxelAllocator: ((bytes: number) => ArrayBuffer) | undefined;

/** Arrays smaller than this are always fresh allocations. */
const POOLED_VOXEL_BYTES = 1 << 20;

/**
 * Lets `createVoxelArray` take buffers of large arrays from `allocate` (possibly reused, so
 * they are zeroed here) instead of fresh memory, which on some machines costs more to fault in
 * than the whole step that fills it (about 13 µs per 4 KiB page on this project's VMs). The
 * runner installs its worker pool and hands a buffer back only when no item of the subject
 * uses it any more (runner/run_subject.ts, buffer_pool.ts); undefined restores fresh memory.
 */
export function setVoxelAllocator(allocate: ((bytes: number) => ArrayBuffer) | undefined): void {
  voxelAllocator = allocate;
}

/** Allocates a zeroed array of `length` voxels of `dtype`. */
export function createVoxelArray(dtype: DType, length: number): VoxelArray {
  const bytes = length * DTYPE_INFO[dtype].bytes;
  if (voxelAllocator && bytes >= POOLED_VOXEL_BYTES) {
    const buffer = voxelAllocator(bytes);
    new Uint8Array(buffer, 0, bytes).fill(0);
    return viewVoxelArray(dtype, buffer, 0, length);
  }
  switch (dtype) {
    case "uint8":
      return new Uint8Array(length);
    case "int8":
      return new Int8Array(length);
    case "int16":
      return new Int16Array(length);
    case "uint16":
      return new Uint16Array(length);
    case "int32":
      return new Int32Array(length);
    case "uint32":
      return new Uint32Array(length);
    case "int64":
      return new BigInt64Array(length);
    case "uint64":
      return new BigUint64Array(length);
    case "float32":
      return new Float32Array(length);
    case "float64":
      return new Float64Array(length);
  }
}

/** Views `buffer` (byte offset/length in elements) as an array of `dtype`. */
export function viewVoxelArray(
  dtype: DType,
  buffer: ArrayBufferLike,
  byteOffset = 0,
  length?: number,
): VoxelArray {
  const n = length ?? (buffer.byteLength - byteOffset) / DTYPE_INFO[dtype].bytes;
  switch (dtype) {
    case "uint8":
      return new Uint8Array(buffer, byteOffset, n);
    case "int8":
      return new Int8Array(buffer, byteOffset, n);
    case "int16":
      return new Int16Array(buffer, byteOffset, n);
    case "uint16":
      return new Uint16Array(buffer, byteOffset, n);
    case "int32":
      return new Int32Array(buffer, byteOffset, n);
    case "uint32":
      return new Uint32Array(buffer, byteOffset, n);
    case "int64":
      return new BigInt64Array(buffer, byteOffset, n);
    case "uint64":
      return new BigUint64Array(buffer, byteOffset, n);
    case "float32":
      return new Float32Array(buffer, byteOffset, n);
    case "float64":
      return new Float64Array(buffer, byteOffset, n);
  }
}

/** The dtype of a voxel array. */
export function dtypeOf(data: VoxelArray): DType {
  if (data instanceof Uint8Array) return "uint8";
  if (data instanceof Int8Array) return "int8";
  if (data instanceof Int16Array) return "int16";
  if (data instanceof Uint16Array) return "uint16";
  if (data instanceof Int32Array) return "int32";
  if (data instanceof Uint32Array) return "uint32";
  if (data instanceof BigInt64Array) return "int64";
  if (data instanceof BigUint64Array) return "uint64";
  if (data instanceof Float32Array) return "float32";
  return "float64";
}

/**
 * How `save` turns a real value into an integer (SPEC §2): `nearest` rounds half away from
 * zero, `truncate` rounds toward zero after clamping (ITK/SimpleITK's pixel cast).
 */
export type Rounding = "nearest" | "truncate";

/** The rounding modes of `save`, default first. */
export const ROUNDINGS = ["nearest", "truncate"] as const satisfies readonly Rounding[];

/** Rounds half away from zero, exactly (no `x + 0.5` round-off just below a half). */
export function roundHalfAwayFromZero(x: number): number {
  const t = Math.trunc(x), f = x - t; // x − trunc(x) is exact
  return f >= 0.5 ? t + 1 : f <= -0.5 ? t - 1 : t;
}

/**
 * The one round-and-clamp of medprep (SPEC §2): `v` rounded by `rounding` and clamped into
 * [lo, hi] (integer bounds); NaN gives 0. Clamping before or after truncation is the same
 * for integer bounds.
 */
export function roundAndClamp(v: number, lo: number, hi: number, rounding: Rounding): number {
  if (v !== v) return 0;
  const r = rounding === "truncate" ? Math.trunc(v) : roundHalfAwayFromZero(v);
  return r < lo ? lo : r > hi ? hi : r + 0; // + 0 turns −0 into 0
}

/**
 * Encodes a real value `v` into a stored value of `dtype`: rounded (half away from zero by
 * default) and clamped for integer types; NaN becomes 0 in integer types.
 */
export function encodeValue(v: number, dtype: DType, rounding: Rounding = "nearest"): number {
  const info = DTYPE_INFO[dtype];
  return info.integer ? roundAndClamp(v, info.min, info.max, rounding) : v;
}

/**
 * The float type a linear/B-spline result of `dtype` data is kept in between steps (SPEC §2:
 * values are real numbers): float32 for ≤ 16-bit integers and float32 (every input value is
 * exact in it, and a result stored with `storeFloat32` rounds at save exactly as its float64
 * value would), float64 for wider integers and float64 (float32 would lose input digits).
 */
export function floatTypeFor(dtype: DType): "float32" | "float64" {
  return DTYPE_INFO[dtype].bytes <= 2 || dtype === "float32" ? "float32" : "float64";
}

/**
 * How one item's float results are stored:
 * - `float64`: exactly as computed;
 * - `float32`: the nearest float32 (numpy's `astype(float32)`: what a float32 output holds);
 * - `float32-keeping`: `float32Keeping`, the float32 on the float64 value's side of every
 *   integer and half (an integer output then rounds it exactly as the float64 value).
 */
export type FloatStorage = "float64" | "float32" | "float32-keeping";

/** The array type of a float storage (float64, or float32 for both float32 kinds). */
export function floatTypeOf(storage: FloatStorage): "float32" | "float64" {
  return storage === "float64" ? "float64" : "float32";
}

const F32 = new Float32Array(1);
const F32_BITS = new Int32Array(F32.buffer);

/**
 * `v` as a float32 that rounds to an integer (either `Rounding`) exactly as `v` does: the
 * nearest float32, unless that lands exactly on an integer or a half that `v` is not on —
 * then its neighbour on `v`'s side (an error of 1 ulp instead of ½). Values beyond 2^22
 * (where float32 has no halves) and non-finite values are simply rounded to float32.
 */
export function float32Keeping(v: number): number {
  const f = Math.fround(v), h = f * 2;
  // Fast exits: exact, or not a multiple of ½ (h | 0 also differs from h beyond 2^31).
  if (f === v || h !== (h | 0) || !(Math.abs(f) < 4194304)) return f;
  if (f === 0) return Math.fround(v > 0 ? 1e-45 : -1e-45); // the smallest float32 of v's sign
  F32[0] = f;
  F32_BITS[0] += (v > f) === (f > 0) ? 1 : -1; // one ulp away from or toward zero
  return F32[0];
}

/** Integer types a label map is stored in when its type must change, smallest first (SPEC §2). */
export const LABEL_TYPES: readonly DType[] = ["uint8", "int16", "int32"];

/** The smallest of uint8/int16/int32 holding every integer in [lo, hi], or undefined. */
export function labelTypeHolding(lo: number, hi: number): DType | undefined {
  return LABEL_TYPES.find((d) => lo >= DTYPE_INFO[d].min && hi <= DTYPE_INFO[d].max);
}
