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

/** Allocates a zeroed array of `length` voxels of `dtype`. */
export function createVoxelArray(dtype: DType, length: number): VoxelArray {
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

/** Rounds half away from zero (SPEC §2–3: integer outputs). */
export function roundHalfAwayFromZero(x: number): number {
  return x < 0 ? -Math.floor(-x + 0.5) : Math.floor(x + 0.5);
}

/**
 * Encodes a real value `v` into a stored value of `dtype`: rounded half away
 * from zero and clamped for integer types; NaN becomes 0 in integer types.
 */
export function encodeValue(v: number, dtype: DType): number {
  const info = DTYPE_INFO[dtype];
  if (!info.integer) return v;
  if (Number.isNaN(v)) return 0;
  const r = roundHalfAwayFromZero(v);
  return r < info.min ? info.min : r > info.max ? info.max : r;
}
