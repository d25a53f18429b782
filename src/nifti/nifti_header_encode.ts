/** Header fields → bytes (NIfTI-1 or -2, either byte order), followed by 4 zero extension bytes. */
import { LAYOUT, type NiftiHeader } from "./nifti_header.ts";

function putText(bytes: Uint8Array, offset: number, length: number, s: string): void {
  for (let i = 0; i < Math.min(s.length, length - 1); i++) {
    const c = s.charCodeAt(i);
    bytes[offset + i] = c < 128 ? c : 63; // '?' for non-ASCII
  }
}

/**
 * Serializes a header; the result is `headerSize + 4` bytes (the extension flag bytes are 0).
 * The magic written is `h.magic` (`n+1`/`ni1`, `n+2`/`ni2`).
 */
export function encodeNiftiHeader(h: NiftiHeader): Uint8Array {
  const L = LAYOUT[h.version];
  const bytes = new Uint8Array(L.size + 4);
  const v = new DataView(bytes.buffer);
  const le = h.littleEndian;
  const int = (o: number, width: number, x: number) => {
    if (width === 2) v.setInt16(o, x, le);
    else if (width === 4) v.setInt32(o, x, le);
    else v.setBigInt64(o, BigInt(Math.trunc(x)), le);
  };
  const flt = (o: number, x: number) =>
    L.floatBytes === 4 ? v.setFloat32(o, x, le) : v.setFloat64(o, x, le);
  const fltN = (o: number, xs: readonly number[]) =>
    xs.forEach((x, i) => flt(o + i * L.floatBytes, x));
  const small = (o: number, x: number) => (h.version === 1 ? v.setUint8(o, x) : int(o, 4, x));
  v.setInt32(0, L.size, le);
  putText(bytes, L.magic, 4, h.magic);
  if (h.version === 2) bytes.set([0x0d, 0x0a, 0x1a, 0x0a], L.magic + 4);
  v.setUint8(L.dimInfo, h.dimInfo);
  h.dim.forEach((d, i) => int(L.dim + i * L.intInt, L.intInt, d));
  fltN(L.intentP, h.intentP);
  int(L.intentCode, h.version === 1 ? 2 : 4, h.intentCode);
  v.setInt16(L.datatype, h.datatype, le);
  v.setInt16(L.bitpix, h.bitpix, le);
  int(L.sliceStart, L.intInt, h.sliceStart);
  fltN(L.pixdim, h.pixdim);
  if (h.version === 1) v.setFloat32(L.voxOffset, h.voxOffset, le);
  else int(L.voxOffset, 8, h.voxOffset);
  flt(L.sclSlope, h.sclSlope);
  flt(L.sclInter, h.sclInter);
  int(L.sliceEnd, L.intInt, h.sliceEnd);
  small(L.sliceCode, h.sliceCode);
  small(L.xyztUnits, h.xyztUnits);
  flt(L.calMax, h.calMax);
  flt(L.calMin, h.calMin);
  flt(L.sliceDuration, h.sliceDuration);
  flt(L.toffset, h.toffset);
  putText(bytes, L.descrip, 80, h.descrip);
  putText(bytes, L.auxFile, 24, h.auxFile);
  int(L.qformCode, L.codeBytes, h.qformCode);
  int(L.sformCode, L.codeBytes, h.sformCode);
  fltN(L.quatern, h.quatern);
  fltN(L.qoffset, h.qoffset);
  h.srow.forEach((row, r) => fltN(L.srow + r * 4 * L.floatBytes, row));
  putText(bytes, L.intentName, 16, h.intentName);
  return bytes;
}
