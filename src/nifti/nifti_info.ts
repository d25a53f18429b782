/** What a NIfTI header says about a file: format, type, shape, geometry, scaling (no data). */
import { NiftiError } from "../errors.ts";
import { type DType, DTYPE_INFO, DTYPES } from "../volume/dtype.ts";
import type { Affine } from "../volume/affine.ts";
import { createMeta, type VolumeMeta } from "../volume/volume.ts";
import {
  type AffineSource,
  deriveHeaderAffine,
  deriveScaling,
  validXformCode,
} from "./nifti_geometry.ts";
import type { NiftiHeader } from "./nifti_header.ts";

/** Facts about a NIfTI file as read (SPEC §1). */
export interface NiftiInfo {
  /** The path read. */
  file: string;
  /** NIfTI-1 (348-byte header) or NIfTI-2 (540). */
  format: "nifti1" | "nifti2";
  /** Whether the data were gzip-compressed. */
  gzip: boolean;
  /** Whether the file is a `.hdr`/`.img` pair. */
  pair: boolean;
  /** Byte order of the file. */
  endianness: "little" | "big";
  /** The header's `datatype` code. */
  datatypeCode: number;
  /** "int16", …, or the unsupported type's name (e.g. "complex64"). */
  dtypeName: string;
  /** dim[1..dim[0]], as nibabel's `img.shape`. */
  fullShape: number[];
  /** Which header fields gave the affine (SPEC §1: sform > qform > fallback). */
  affineSource: AffineSource;
  /** The header's qform_code. */
  qformCode: number;
  /** The header's sform_code. */
  sformCode: number;
  /** Effective scaling (1 and 0 when the file has none). */
  sclSlope: number;
  /** Effective intercept (0 when the file has none). */
  sclInter: number;
  /** Byte offset of the voxel data. */
  voxOffset: number;
  /** Non-fatal problems met while reading (e.g. trailing garbage after the gzip data). */
  warnings: string[];
}

/** Header-level description of a file. */
export interface NiftiDescription {
  info: NiftiInfo;
  header: NiftiHeader;
  shape: [number, number, number];
  /** The 4th dimension (1 for 3D). */
  frames: number;
  /** Product of the dimensions beyond the 4th (1 when there are none). */
  extra: number;
  affine: Affine;
  meta: VolumeMeta;
  /** The storage type, or null when unsupported. */
  dtype: DType | null;
}

const OTHER_TYPES: Record<number, string> = {
  1: "binary",
  32: "complex64",
  128: "rgb24",
  1536: "float128",
  1792: "complex128",
  2048: "complex256",
  2304: "rgba32",
};

/** The supported dtype of a NIfTI datatype code, or null. */
export function dtypeOfCode(code: number): DType | null {
  return DTYPES.find((d) => DTYPE_INFO[d].niftiCode === code) ?? null;
}

/**
 * Bytes of a file's voxels as the reader allocates them (every frame and extra dimension), or
 * undefined for a type medprep does not read.
 */
export function voxelByteCount(info: NiftiInfo): number | undefined {
  const dtype = dtypeOfCode(info.datatypeCode);
  return dtype ? info.fullShape.reduce((a, b) => a * b, 1) * DTYPE_INFO[dtype].bytes : undefined;
}

/** The name of a datatype code (`int16`, `complex64`, `unknown-7`). */
export function datatypeName(code: number): string {
  return dtypeOfCode(code) ?? OTHER_TYPES[code] ?? `unknown-${code}`;
}

/**
 * Validates dimensions and derives shape, affine, scaling and metadata from a header.
 * @throws NiftiError on invalid dimensions or geometry
 */
export function describeNifti(
  file: string,
  h: NiftiHeader,
  where: { gzip: boolean; pair: boolean },
): NiftiDescription {
  const nd = h.dim[0];
  if (!(nd >= 1 && nd <= 7)) throw new NiftiError(file, `invalid dim[0] = ${nd} (must be 1 to 7)`);
  const fullShape = h.dim.slice(1, nd + 1);
  const bad = fullShape.findIndex((d) => !(d >= 1) || !Number.isSafeInteger(d));
  if (bad >= 0) {
    const d = fullShape[bad];
    throw new NiftiError(
      file,
      d >= 1 && Number.isFinite(d)
        ? `invalid dimension dim[${bad + 1}] = ${BigInt(Math.round(d))} is too large ` +
          `(the limit is ${Number.MAX_SAFE_INTEGER})`
        : `invalid dimension dim[${bad + 1}] = ${d} (must be ≥ 1)`,
    );
  }
  const at = (i: number) => (i <= nd ? h.dim[i] : 1);
  const shape: [number, number, number] = [at(1), at(2), at(3)];
  let extra = 1;
  for (let i = 5; i <= nd; i++) extra *= h.dim[i];
  const { affine, source } = deriveHeaderAffine(file, h);
  const { slope, inter } = deriveScaling(h);
  const dtype = dtypeOfCode(h.datatype);
  const voxOffset = Math.trunc(h.voxOffset);
  if (!Number.isFinite(h.voxOffset) || voxOffset < 0) {
    throw new NiftiError(file, `invalid vox_offset ${h.voxOffset}`);
  }
  const info: NiftiInfo = {
    file,
    format: h.version === 1 ? "nifti1" : "nifti2",
    gzip: where.gzip,
    pair: where.pair,
    endianness: h.littleEndian ? "little" : "big",
    datatypeCode: h.datatype,
    dtypeName: datatypeName(h.datatype),
    fullShape,
    affineSource: source,
    qformCode: validXformCode(h.qformCode),
    sformCode: validXformCode(h.sformCode),
    sclSlope: slope,
    sclInter: inter,
    voxOffset,
    warnings: [],
  };
  const finite = (x: number) => (Number.isFinite(x) ? x : 0);
  const meta = createMeta({
    qformCode: validXformCode(h.qformCode),
    sformCode: validXformCode(h.sformCode),
    xyztUnits: h.xyztUnits & 0xff,
    intentCode: h.intentCode,
    intentName: h.intentName,
    intentP: h.intentP.map(finite) as [number, number, number],
    calMin: finite(h.calMin),
    calMax: finite(h.calMax),
    descrip: h.descrip,
    timeStep: at(4) > 1 ? finite(h.pixdim[4]) : 0,
  });
  return { info, header: h, shape, frames: at(4), extra, affine, meta, dtype };
}
