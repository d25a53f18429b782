/**
 * Whether two roles of a subject lie on one grid (SPEC §7): the same voxel shape and affines
 * that agree within a tolerance (default 1e-3 mm) at the eight outer corners of the volume.
 * Pure math, no I/O.
 */
import { type Affine, applyAffine, columnNorms } from "./affine.ts";

/** A voxel grid: shape and voxel → world (mm) affine. */
export interface GridLike {
  readonly shape: readonly [number, number, number];
  readonly affine: Affine;
}

/** Corner tolerance of SPEC §7, in mm. */
export const GRID_TOLERANCE_MM = 1e-3;

const fmt = (v: number) => String(Math.round(v * 1000) / 1000);
const point = (p: readonly number[]) => `(${p.map(fmt).join(", ")})`;

/** The outer corners (voxel edges −0.5 and n − 0.5 on every axis) of a grid, in world mm. */
export function gridCorners(g: GridLike): [number, number, number][] {
  const out: [number, number, number][] = [];
  for (let c = 0; c < 8; c++) {
    const ijk = [0, 1, 2].map((a) => ((c >> a) & 1 ? g.shape[a] - 0.5 : -0.5));
    out.push(applyAffine(g.affine, ijk));
  }
  return out;
}

/** `20x20x20 @ 1x1x1 mm, voxel (0,0,0) at (x, y, z) mm, (19,19,19) at (…) mm`. */
export function describeGrid(g: GridLike): string {
  const last = g.shape.map((n) => n - 1);
  return `${g.shape.join("x")} @ ${columnNorms(g.affine).map(fmt).join("x")} mm, voxel (0,0,0) at ${
    point(applyAffine(g.affine, [0, 0, 0]))
  } mm, (${last.join(",")}) at ${point(applyAffine(g.affine, last))} mm`;
}

/**
 * Why `a` and `b` are not one grid (different shape, or the largest corner distance), or
 * undefined when they are.
 */
export function gridMismatch(
  a: GridLike,
  b: GridLike,
  toleranceMm = GRID_TOLERANCE_MM,
): string | undefined {
  if (a.shape.some((n, i) => n !== b.shape[i])) {
    return `shapes differ (${a.shape.join("x")} vs ${b.shape.join("x")})`;
  }
  const ca = gridCorners(a), cb = gridCorners(b);
  let worst = 0;
  for (let c = 0; c < 8; c++) {
    const d = Math.hypot(ca[c][0] - cb[c][0], ca[c][1] - cb[c][1], ca[c][2] - cb[c][2]);
    if (!(d <= worst)) worst = d; // NaN counts as a mismatch
  }
  if (worst <= toleranceMm) return undefined;
  return `corners ${
    fmt(worst) === "0" ? worst.toExponential(1) : fmt(worst)
  } mm apart (more than ${toleranceMm} mm)`;
}

/**
 * Why the grids of these roles are not one (the first role against each other, naming both
 * roles and both grids), or undefined when they share one grid.
 */
export function rolesGridMismatch(
  items: readonly { readonly role: string; readonly volume: GridLike }[],
): string | undefined {
  const [first, ...rest] = items;
  for (const other of rest) {
    const why = gridMismatch(first.volume, other.volume);
    if (!why) continue;
    return `roles "${first.role}" and "${other.role}" are not on one grid (${why}): ${first.role} ${
      describeGrid(first.volume)
    }; ${other.role} ${describeGrid(other.volume)}`;
  }
  return undefined;
}
