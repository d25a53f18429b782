/**
 * NumPy `.npy` format version 1.0 (numpy.lib.format): the magic `\x93NUMPY`, version 1.0, a
 * little-endian uint16 header length, an ASCII Python dict literal
 * `{'descr': '<f4', 'fortran_order': False, 'shape': (1, 5, 6, 7), }` padded with spaces and a
 * newline so the data start at a multiple of 64 bytes, then the array bytes in C order
 * (last axis fastest), little-endian.
 */
import type { DType, VoxelArray } from "../volume/dtype.ts";

/** numpy's `descr` of every supported type (`|` = byte order irrelevant, `<` little-endian). */
export const NPY_DESCR: Readonly<Record<DType, string>> = {
  uint8: "|u1",
  int8: "|i1",
  int16: "<i2",
  uint16: "<u2",
  int32: "<i4",
  uint32: "<u4",
  int64: "<i8",
  uint64: "<u8",
  float32: "<f4",
  float64: "<f8",
};

/** An n-dimensional array in C order (last axis fastest). */
export interface NpyArray {
  readonly dtype: DType;
  readonly shape: readonly number[];
  /** Values in C order; `data.length` is the product of `shape`. */
  readonly data: VoxelArray;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The header bytes (magic, version, length, dict) of an `.npy` file holding `array`. */
export function encodeNpyHeader(array: Pick<NpyArray, "dtype" | "shape">): Uint8Array {
  const shape = array.shape.length === 1 ? `(${array.shape[0]},)` : `(${array.shape.join(", ")})`;
  const dict = `{'descr': '${
    NPY_DESCR[array.dtype]
  }', 'fortran_order': False, 'shape': ${shape}, }`;
  const unpadded = 10 + dict.length + 1; // magic(6) + version(2) + length(2) + dict + "\n"
  const total = Math.ceil(unpadded / 64) * 64;
  const text = dict + " ".repeat(total - unpadded) + "\n";
  if (text.length > 0xffff) {
    throw new RangeError("Cannot write .npy: the header exceeds 65535 bytes");
  }
  const out = new Uint8Array(total);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]); // \x93NUMPY, version 1.0
  new DataView(out.buffer).setUint16(8, text.length, true);
  for (let i = 0; i < text.length; i++) out[10 + i] = text.charCodeAt(i);
  return out;
}

/**
 * The bytes of an `.npy` file (version 1.0, C order, little-endian).
 * @throws RangeError when `data` does not have the shape's number of elements
 */
export function encodeNpy(array: NpyArray): Uint8Array {
  const n = array.shape.reduce((a, b) => a * b, 1);
  if (array.data.length !== n) {
    throw new RangeError(
      `Cannot write .npy of shape (${
        array.shape.join(", ")
      }): data has ${array.data.length} elements`,
    );
  }
  if (!LITTLE_ENDIAN) throw new Error("Cannot write .npy on a big-endian machine");
  const header = encodeNpyHeader(array);
  const body = new Uint8Array(array.data.buffer, array.data.byteOffset, array.data.byteLength);
  const out = new Uint8Array(header.length + body.length);
  out.set(header);
  out.set(body, header.length);
  return out;
}
