/** Header fields → affine and scaling by nibabel's rules (SPEC §1). */
import { NiftiError } from "../errors.ts";
import type { Affine } from "../volume/affine.ts";
import { quaternionToMatrix } from "../volume/quaternion.ts";
import type { NiftiHeader } from "./nifti_header.ts";

/** Where the affine came from. */
export type AffineSource = "sform" | "qform" | "fallback";

/** A qform/sform code as nibabel keeps it: codes outside 0–5 become 0 (unknown). */
export function validXformCode(code: number): number {
  return Number.isInteger(code) && code >= 0 && code <= 5 ? code : 0;
}

/** Effective scaling: slope 0, NaN or ±Inf means none (1, 0); a non-finite inter becomes 0. */
export function deriveScaling(h: NiftiHeader): { slope: number; inter: number } {
  const s = h.sclSlope;
  if (s === 0 || !Number.isFinite(s)) return { slope: 1, inter: 0 };
  return { slope: s, inter: Number.isFinite(h.sclInter) ? h.sclInter : 0 };
}

/**
 * pixdim[1..3] as nibabel uses them after its header fixes: absolute values, 0 → 1
 * (NaN is kept, so a NaN spacing stays visible).
 */
export function fixedSpacing(h: NiftiHeader): [number, number, number] {
  return [1, 2, 3].map((i) => {
    const p = Math.abs(h.pixdim[i]);
    return p === 0 ? 1 : p;
  }) as [number, number, number];
}

const F32_EPS = 1.1920928955078125e-7;

function qformAffine(file: string, h: NiftiHeader): number[][] {
  const f = h.version === 1 ? Math.fround : (x: number) => x;
  const [b, c, d] = h.quatern.map(f);
  const w2 = f(1 - f(f(b * b) + f(c * c) + f(d * d)));
  const eps = h.version === 1 ? F32_EPS : Number.EPSILON;
  if (!(w2 >= -3 * eps)) {
    throw new NiftiError(file, `invalid qform quaternion (b²+c²+d² = ${1 - w2} > 1)`);
  }
  const a = w2 > 0 ? Math.sqrt(w2) : 0;
  const r = quaternionToMatrix(a, b, c, d);
  const zooms = fixedSpacing(h);
  if (h.pixdim[0] === -1) zooms[2] = -zooms[2];
  return [
    [r[0][0] * zooms[0], r[0][1] * zooms[1], r[0][2] * zooms[2], h.qoffset[0]],
    [r[1][0] * zooms[0], r[1][1] * zooms[1], r[1][2] * zooms[2], h.qoffset[1]],
    [r[2][0] * zooms[0], r[2][1] * zooms[1], r[2][2] * zooms[2], h.qoffset[2]],
    [0, 0, 0, 1],
  ];
}

/** nibabel's `get_base_affine`: diag(−dx, dy, dz) with the centre voxel at the origin. */
export function fallbackAffine(h: NiftiHeader): number[][] {
  const zooms = fixedSpacing(h);
  const ndim = Math.max(1, Math.min(7, h.dim[0]));
  const shape = [1, 2, 3].map((i) => (i <= ndim ? h.dim[i] : 1));
  for (let i = ndim; i < 3; i++) zooms[i] = 1;
  zooms[0] = -zooms[0];
  const t = (i: number) => -((shape[i] - 1) / 2) * zooms[i];
  return [
    [zooms[0], 0, 0, t(0)],
    [0, zooms[1], 0, t(1)],
    [0, 0, zooms[2], t(2)],
    [0, 0, 0, 1],
  ];
}

/**
 * The affine nibabel's `img.affine` gives: sform if sform_code > 0, else qform if
 * qform_code > 0, else the fallback.
 * @throws NiftiError when the selected qform quaternion is invalid or the affine is not finite
 */
export function deriveHeaderAffine(
  file: string,
  h: NiftiHeader,
): { affine: Affine; source: AffineSource } {
  let out: { affine: number[][]; source: AffineSource };
  if (validXformCode(h.sformCode) > 0) {
    out = { affine: [...h.srow.map((r) => [...r]), [0, 0, 0, 1]], source: "sform" };
  } else if (validXformCode(h.qformCode) > 0) {
    out = { affine: qformAffine(file, h), source: "qform" };
  } else {
    out = { affine: fallbackAffine(h), source: "fallback" };
  }
  if (!out.affine.every((row) => row.every(Number.isFinite))) {
    throw new NiftiError(file, `the ${out.source} affine has non-finite entries`);
  }
  return out;
}
