/**
 * NIfTI-1 / NIfTI-2 header bytes ↔ fields. With nifti_header_encode.ts the only
 * code that knows header byte offsets.
 */
import { NiftiError } from "../errors.ts";

/** Raw header fields common to NIfTI-1 and NIfTI-2 (numbers as stored, widened to float64). */
export interface NiftiHeader {
  version: 1 | 2;
  littleEndian: boolean;
  /** 348 or 540. */
  headerSize: number;
  /** Magic without padding: `n+1`, `ni1`, `n+2` or `ni2`. */
  magic: string;
  dimInfo: number;
  /** dim[0..7]. */
  dim: number[];
  intentP: [number, number, number];
  intentCode: number;
  datatype: number;
  bitpix: number;
  sliceStart: number;
  /** pixdim[0..7]. */
  pixdim: number[];
  voxOffset: number;
  sclSlope: number;
  sclInter: number;
  sliceEnd: number;
  sliceCode: number;
  xyztUnits: number;
  calMax: number;
  calMin: number;
  sliceDuration: number;
  toffset: number;
  descrip: string;
  auxFile: string;
  qformCode: number;
  sformCode: number;
  /** quatern_b, quatern_c, quatern_d. */
  quatern: [number, number, number];
  qoffset: [number, number, number];
  /** srow_x, srow_y, srow_z. */
  srow: [number[], number[], number[]];
  intentName: string;
}

/** Byte offsets of every field, per version (NIfTI-1 / NIfTI-2). */
export const LAYOUT = {
  1: {
    size: 348,
    magic: 344,
    magicLen: 4,
    dimInfo: 39,
    dim: 40,
    intInt: 2,
    intentP: 56,
    floatBytes: 4,
    intentCode: 68,
    datatype: 70,
    bitpix: 72,
    sliceStart: 74,
    pixdim: 76,
    voxOffset: 108,
    sclSlope: 112,
    sclInter: 116,
    sliceEnd: 120,
    sliceCode: 122,
    xyztUnits: 123,
    calMax: 124,
    calMin: 128,
    sliceDuration: 132,
    toffset: 136,
    descrip: 148,
    auxFile: 228,
    qformCode: 252,
    sformCode: 254,
    codeBytes: 2,
    quatern: 256,
    qoffset: 268,
    srow: 280,
    intentName: 328,
  },
  2: {
    size: 540,
    magic: 4,
    magicLen: 8,
    dimInfo: 524,
    dim: 16,
    intInt: 8,
    intentP: 80,
    floatBytes: 8,
    intentCode: 504,
    datatype: 12,
    bitpix: 14,
    sliceStart: 224,
    pixdim: 104,
    voxOffset: 168,
    sclSlope: 176,
    sclInter: 184,
    sliceEnd: 232,
    sliceCode: 496,
    xyztUnits: 500,
    calMax: 192,
    calMin: 200,
    sliceDuration: 208,
    toffset: 216,
    descrip: 240,
    auxFile: 320,
    qformCode: 344,
    sformCode: 348,
    codeBytes: 4,
    quatern: 352,
    qoffset: 376,
    srow: 400,
    intentName: 508,
  },
} as const;

/**
 * Header version and byte order. Like nibabel: sizeof_hdr (348 or 540, either byte order)
 * decides; when it is wrong but a NIfTI magic is in place (needs the first 348 bytes), the
 * NIfTI-1 magic gives the version and dim[0] (1–7 when read little-endian) the byte order.
 * @throws NiftiError when neither works
 */
export function detectNiftiHeader(
  file: string,
  head: Uint8Array,
): { version: 1 | 2; size: number; littleEndian: boolean } {
  const view = new DataView(head.buffer, head.byteOffset, head.length);
  for (const littleEndian of [true, false]) {
    const size = view.getInt32(0, littleEndian);
    if (size === 348) return { version: 1, size, littleEndian };
    if (size === 540) return { version: 2, size, littleEndian };
  }
  if (head.length >= 348 && ["n+1", "ni1"].includes(text(head, 344, 4))) {
    const d0 = view.getInt16(40, true);
    return { version: 1, size: 348, littleEndian: d0 >= 1 && d0 <= 7 };
  }
  throw new NiftiError(
    file,
    `not a NIfTI file (sizeof_hdr is ${view.getInt32(0, true)}, expected 348 or 540)`,
  );
}

function text(bytes: Uint8Array, offset: number, length: number): string {
  let end = offset;
  while (end < offset + length && bytes[end] !== 0) end++;
  let s = "";
  for (let i = offset; i < end; i++) s += String.fromCharCode(bytes[i]);
  return s;
}

/**
 * Parses a complete header (348 bytes for NIfTI-1, 540 for NIfTI-2).
 * @throws NiftiError on a wrong size or magic
 */
export function parseNiftiHeader(file: string, bytes: Uint8Array): NiftiHeader {
  if (bytes.length < 4) throw new NiftiError(file, "truncated header (file too short)");
  const { version, size, littleEndian: le } = detectNiftiHeader(file, bytes);
  if (bytes.length < size) {
    throw new NiftiError(file, `truncated header: ${bytes.length} of ${size} bytes`);
  }
  const L = LAYOUT[version];
  const v = new DataView(bytes.buffer, bytes.byteOffset, size);
  const magic = text(bytes, L.magic, 4);
  const okMagic = version === 1 ? ["n+1", "ni1"] : ["n+2", "ni2"];
  if (!okMagic.includes(magic) || bytes[L.magic + 3] !== 0) {
    const raw = String.fromCharCode(...bytes.subarray(L.magic, L.magic + 4)).replace(/\0+$/, "");
    throw new NiftiError(file, `bad magic ${JSON.stringify(raw)} for a NIfTI-${version} header`);
  }
  if (version === 2 && [0x0d, 0x0a, 0x1a, 0x0a].some((b, i) => bytes[L.magic + 4 + i] !== b)) {
    throw new NiftiError(
      file,
      "damaged NIfTI-2 magic (bytes 8-11 are not \\r\\n\\x1a\\n: transferred in text mode?)",
    );
  }
  const int = (o: number, bytesPer: number) => {
    if (bytesPer === 2) return v.getInt16(o, le);
    if (bytesPer === 4) return v.getInt32(o, le);
    return Number(v.getBigInt64(o, le));
  };
  const flt = (o: number) => (L.floatBytes === 4 ? v.getFloat32(o, le) : v.getFloat64(o, le));
  const fltN = (o: number, n: number) =>
    Array.from({ length: n }, (_, i) => flt(o + i * L.floatBytes));
  const small = version === 1 ? 1 : 4; // slice_code / xyzt_units width
  const byteOr = (o: number) => (small === 1 ? v.getUint8(o) : v.getInt32(o, le));
  return {
    version,
    littleEndian: le,
    headerSize: size,
    magic,
    dimInfo: v.getUint8(L.dimInfo),
    dim: Array.from({ length: 8 }, (_, i) => int(L.dim + i * L.intInt, L.intInt)),
    intentP: fltN(L.intentP, 3) as [number, number, number],
    intentCode: int(L.intentCode, version === 1 ? 2 : 4),
    datatype: v.getInt16(L.datatype, le),
    bitpix: v.getInt16(L.bitpix, le),
    sliceStart: int(L.sliceStart, L.intInt),
    pixdim: fltN(L.pixdim, 8),
    voxOffset: version === 1 ? v.getFloat32(L.voxOffset, le) : int(L.voxOffset, 8),
    sclSlope: flt(L.sclSlope),
    sclInter: flt(L.sclInter),
    sliceEnd: int(L.sliceEnd, L.intInt),
    sliceCode: byteOr(L.sliceCode),
    xyztUnits: byteOr(L.xyztUnits),
    calMax: flt(L.calMax),
    calMin: flt(L.calMin),
    sliceDuration: flt(L.sliceDuration),
    toffset: flt(L.toffset),
    descrip: text(bytes, L.descrip, 80),
    auxFile: text(bytes, L.auxFile, 24),
    qformCode: int(L.qformCode, L.codeBytes),
    sformCode: int(L.sformCode, L.codeBytes),
    quatern: fltN(L.quatern, 3) as [number, number, number],
    qoffset: fltN(L.qoffset, 3) as [number, number, number],
    srow: [fltN(L.srow, 4), fltN(L.srow + 4 * L.floatBytes, 4), fltN(L.srow + 8 * L.floatBytes, 4)],
    intentName: text(bytes, L.intentName, 16),
  };
}
