/** Quaternion ↔ rotation and polar decomposition, as NIfTI qforms need them (pure math). */
import type { Affine } from "./affine.ts";
import { det3, orthogonalFactor } from "./polar.ts";

type M3 = number[][];

/** Rotation matrix of the unit quaternion (a, b, c, d) (nibabel's `quat2mat`, normalizing). */
export function quaternionToMatrix(a: number, b: number, c: number, d: number): M3 {
  const n = a * a + b * b + c * c + d * d;
  if (n < 2.220446049250313e-16) return [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
  const s = 2 / n;
  const [X, Y, Z] = [b * s, c * s, d * s];
  const [wX, wY, wZ] = [a * X, a * Y, a * Z];
  const [xX, xY, xZ] = [b * X, b * Y, b * Z];
  const [yY, yZ, zZ] = [c * Y, c * Z, d * Z];
  return [
    [1 - (yY + zZ), xY - wZ, xZ + wY],
    [xY + wZ, 1 - (xX + zZ), yZ - wX],
    [xZ - wY, yZ + wX, 1 - (xX + yY)],
  ];
}

/** Unit quaternion [a, b, c, d] with a ≥ 0 of a rotation matrix (Shepperd's method). */
export function matrixToQuaternion(
  r: readonly (readonly number[])[],
): [number, number, number, number] {
  const t = r[0][0] + r[1][1] + r[2][2];
  let q: [number, number, number, number];
  if (t > 0) {
    const s = 0.5 / Math.sqrt(t + 1);
    q = [0.25 / s, (r[2][1] - r[1][2]) * s, (r[0][2] - r[2][0]) * s, (r[1][0] - r[0][1]) * s];
  } else if (r[0][0] > r[1][1] && r[0][0] > r[2][2]) {
    const s = 2 * Math.sqrt(1 + r[0][0] - r[1][1] - r[2][2]);
    q = [(r[2][1] - r[1][2]) / s, 0.25 * s, (r[0][1] + r[1][0]) / s, (r[0][2] + r[2][0]) / s];
  } else if (r[1][1] > r[2][2]) {
    const s = 2 * Math.sqrt(1 + r[1][1] - r[0][0] - r[2][2]);
    q = [(r[0][2] - r[2][0]) / s, (r[0][1] + r[1][0]) / s, 0.25 * s, (r[1][2] + r[2][1]) / s];
  } else {
    const s = 2 * Math.sqrt(1 + r[2][2] - r[0][0] - r[1][1]);
    q = [(r[1][0] - r[0][1]) / s, (r[0][2] + r[2][0]) / s, (r[1][2] + r[2][1]) / s, 0.25 * s];
  }
  const n = Math.hypot(...q);
  const sign = q[0] < 0 ? -1 : 1;
  return q.map((x) => (sign * x) / n) as [number, number, number, number];
}

/** The qform parameters of an affine, as nibabel's `set_qform` derives them. */
export interface QformParams {
  /** quatern_b, quatern_c, quatern_d. */
  quatern: [number, number, number];
  qoffset: [number, number, number];
  /** pixdim[0]: 1 or −1. */
  qfac: 1 | -1;
  /** pixdim[1..3]: the column norms. */
  zooms: [number, number, number];
}

/**
 * Closest rigid rotation of the affine (shear stripped) plus qfac and column norms,
 * exactly nibabel's `set_qform(affine, strip_shears=True)` recipe.
 */
export function deriveQformParams(affine: Affine): QformParams {
  // √(x² + y² + z²) in nibabel's order (as columnNorms; not Math.hypot, see there).
  const zooms = [0, 1, 2].map((c) =>
    Math.sqrt(
      affine[0][c] * affine[0][c] + affine[1][c] * affine[1][c] + affine[2][c] * affine[2][c],
    )
  ) as [number, number, number];
  const r = [0, 1, 2].map((i) => [0, 1, 2].map((c) => affine[i][c] / (zooms[c] || 1)));
  let qfac: 1 | -1 = 1;
  if (!(det3(r) > 0)) {
    qfac = -1;
    for (let i = 0; i < 3; i++) r[i][2] *= -1;
  }
  const pr = orthogonalFactor(r) ?? [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
  const [, b, c, d] = matrixToQuaternion(pr);
  return {
    quatern: [b, c, d],
    qoffset: [affine[0][3], affine[1][3], affine[2][3]],
    qfac,
    zooms,
  };
}
