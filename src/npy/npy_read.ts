/**
 * Reading NumPy `.npy` files (format versions 1–3): the array's type, shape and order and its
 * values, for `medprep restore` of predictions saved with `np.save`. Little- and big-endian
 * numeric types of the NIfTI set (bool as uint8); C order (last axis fastest) or Fortran order.
 */
import { createVoxelArray, type DType, DTYPE_INFO, type VoxelArray } from "../volume/dtype.ts";

/** A decoded `.npy` array (any order; see npy.ts for the writer). */
export interface DecodedNpy {
  dtype: DType;
  shape: number[];
  /** True when the first axis varies fastest (`fortran_order`). */
  fortranOrder: boolean;
  /** The values in file order. */
  data: VoxelArray;
}

const KINDS: Record<string, DType> = {
  b1: "uint8",
  u1: "uint8",
  i1: "int8",
  i2: "int16",
  u2: "uint16",
  i4: "int32",
  u4: "uint32",
  i8: "int64",
  u8: "uint64",
  f4: "float32",
  f8: "float64",
};

/**
 * Decodes the bytes of a `.npy` file.
 * @throws Error `Cannot read "<file>": <reason>` for a bad magic, header or type
 */
export function readNpy(bytes: Uint8Array, file: string): DecodedNpy {
  const fail = (why: string) => new Error(`Cannot read "${file}": ${why}`);
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
  if (bytes.length < 10 || magic.some((b, i) => bytes[i] !== b)) {
    throw fail("not a .npy file (bad magic)");
  }
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const long = major >= 2;
  const headerLen = long ? view.getUint32(8, true) : view.getUint16(8, true);
  const start = long ? 12 : 10;
  const header = new TextDecoder(major >= 3 ? "utf-8" : "latin1").decode(
    bytes.subarray(start, start + headerLen),
  );
  const descr = /'descr'\s*:\s*'([<>|=])([a-z])(\d+)'/.exec(header);
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header);
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header);
  if (!descr || !fortran || !shapeText) throw fail(`unreadable .npy header ${header.trim()}`);
  const dtype = KINDS[`${descr[2]}${descr[3]}`];
  if (!dtype) throw fail(`unsupported .npy type '${descr.slice(1).join("")}'`);
  const shape = shapeText[1].split(",").map((x) => x.trim()).filter((x) => x !== "").map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const size = DTYPE_INFO[dtype].bytes;
  const offset = start + headerLen;
  if (bytes.length - offset < count * size) {
    throw fail(`truncated: ${count} values of ${size} bytes expected`);
  }
  const data = createVoxelArray(dtype, count);
  const raw = new Uint8Array(data.buffer);
  raw.set(bytes.subarray(offset, offset + count * size));
  const big = descr[1] === ">";
  if (big && size > 1) {
    for (let i = 0; i < raw.length; i += size) raw.subarray(i, i + size).reverse();
  }
  return { dtype, shape, fortranOrder: fortran[1] === "True", data };
}
