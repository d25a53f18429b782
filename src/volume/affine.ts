import { orthogonalFactor } from "./polar.ts";

/** A 4×4 affine as rows: voxel (i, j, k, 1) → world (x, y, z, 1) in RAS+ mm. */
export type Affine = readonly (readonly number[])[];

/** The 4×4 identity. */
export function identityAffine(): number[][] {
  return [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]];
}

/** Matrix product a · b of two 4×4 affines. */
export function multiplyAffine(a: Affine, b: Affine): number[][] {
  const out: number[][] = [];
  for (let r = 0; r < 4; r++) {
    const row: number[] = [];
    for (let c = 0; c < 4; c++) {
      let s = 0;
      for (let k = 0; k < 4; k++) s += a[r][k] * b[k][c];
      row.push(s);
    }
    out.push(row);
  }
  return out;
}

/**
 * Inverse of a 4×4 affine (Gauss–Jordan with partial pivoting).
 * @throws RangeError when the matrix is singular
 */
export function invertAffine(a: Affine): number[][] {
  const m = a.map((row, r) => [...row, ...[0, 1, 2, 3].map((c) => (c === r ? 1 : 0))]);
  for (let c = 0; c < 4; c++) {
    let p = c;
    for (let r = c + 1; r < 4; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    if (Math.abs(m[p][c]) < 1e-300) {
      throw new RangeError("Cannot invert affine: matrix is singular");
    }
    [m[c], m[p]] = [m[p], m[c]];
    const d = m[c][c];
    for (let k = 0; k < 8; k++) m[c][k] /= d;
    for (let r = 0; r < 4; r++) {
      if (r === c) continue;
      const f = m[r][c];
      if (f === 0) continue;
      for (let k = 0; k < 8; k++) m[r][k] -= f * m[c][k];
    }
  }
  return m.map((row) => row.slice(4));
}

/**
 * Euclidean norms of the first three columns (the voxel spacing), computed as nibabel's
 * `voxel_sizes` does (√(x² + y² + z²), not Math.hypot, whose last bit can differ and flip
 * an exact .5 in the resample-to-spacing size M = round(N·s/t)).
 */
export function columnNorms(a: Affine): [number, number, number] {
  const n = (c: number) => Math.sqrt(a[0][c] * a[0][c] + a[1][c] * a[1][c] + a[2][c] * a[2][c]);
  return [n(0), n(1), n(2)];
}

/** Applies the affine to a point (i, j, k). */
export function applyAffine(a: Affine, p: readonly number[]): [number, number, number] {
  return [0, 1, 2].map((r) => a[r][0] * p[0] + a[r][1] * p[1] + a[r][2] * p[2] + a[r][3]) as [
    number,
    number,
    number,
  ];
}

/** Where one voxel axis points: a world axis (0 = x/R, 1 = y/A, 2 = z/S) and a sign. */
export interface AxisDirection {
  /** World axis the voxel axis is closest to. */
  readonly world: 0 | 1 | 2;
  /** +1 when increasing voxel index goes towards R/A/S, −1 towards L/P/I. */
  readonly sign: 1 | -1;
}

/**
 * nibabel's `io_orientation`: the world axis and sign each voxel axis is closest to (null for a
 * zero column). Take the closest orthogonal matrix to the normalised columns (polar
 * decomposition, so oblique and sheared affines get the same answer as nibabel), then for voxel
 * axes in order pick the world axis with the largest |component| among those not taken yet.
 */
export function ioOrientation(a: Affine): (AxisDirection | null)[] {
  const norms = columnNorms(a).map((n) => (n === 0 ? 1 : n));
  const rs = [0, 1, 2].map((r) => [0, 1, 2].map((c) => a[r][c] / norms[c]));
  const m = orthogonalFactor(rs) ?? rs;
  const out: (AxisDirection | null)[] = [];
  for (let c = 0; c < 3; c++) {
    let best = -1, br = -1;
    for (let r = 0; r < 3; r++) {
      const v = Math.abs(m[r][c]);
      if (v > best) [best, br] = [v, r];
    }
    if (best <= 1e-8) {
      out.push(null);
      continue;
    }
    out.push({ world: br as 0 | 1 | 2, sign: m[br][c] > 0 ? 1 : -1 });
    for (let k = 0; k < 3; k++) m[br][k] = 0;
  }
  return out;
}

/** Orientation letters per world axis: [negative, positive] direction. */
export const AXIS_LABELS = [["L", "R"], ["P", "A"], ["I", "S"]] as const;

/**
 * Orientation codes (nibabel's `aff2axcodes`): the world direction each voxel axis points to,
 * e.g. "LAS"; "?" for a zero column (see `ioOrientation`).
 */
export function deriveOrientation(a: Affine): string {
  return ioOrientation(a).map((d) => (d ? AXIS_LABELS[d.world][d.sign > 0 ? 1 : 0] : "?"))
    .join("");
}

/** Relative tolerance of `isSheared` (SPEC §2). */
export const SHEAR_TOLERANCE = 1e-6;

/**
 * Whether the 3×3 part of the affine is not an orthogonal matrix times a diagonal (SPEC §2):
 * some pair of columns has |cos angle| > 1e-6. Such a geometry has no exact qform.
 * A zero column (a degenerate axis) is not counted as shear.
 */
export function isSheared(a: Affine): boolean {
  const col = (c: number) => [a[0][c], a[1][c], a[2][c]];
  const cols = [col(0), col(1), col(2)];
  const norms = columnNorms(a);
  for (const [p, q] of [[0, 1], [0, 2], [1, 2]]) {
    if (norms[p] === 0 || norms[q] === 0) continue;
    const dot = cols[p][0] * cols[q][0] + cols[p][1] * cols[q][1] + cols[p][2] * cols[q][2];
    if (!(Math.abs(dot) <= SHEAR_TOLERANCE * norms[p] * norms[q])) return true;
  }
  return false;
}
