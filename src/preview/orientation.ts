/**
 * Which voxel axis runs along each world axis (x = R, y = A, z = S), and in which direction:
 * the closest canonical (RAS+) orientation of an affine, as nibabel's `io_orientation` /
 * `as_closest_canonical` choose it (largest absolute column entries first). Oblique volumes are
 * shown on their closest canonical axes.
 */
import type { Affine } from "../volume/affine.ts";

/** For world axis w (0 = x/R, 1 = y/A, 2 = z/S): the voxel axis along it and its sign. */
export interface WorldAxes {
  /** `axis[w]`: the voxel axis (0 i, 1 j, 2 k) closest to world axis w. */
  axis: [number, number, number];
  /** `sign[w]`: +1 when the voxel index grows toward +w (R, A, S), −1 when it grows away. */
  sign: [number, number, number];
}

/** The voxel axis and direction closest to each world axis of `affine`. */
export function closestWorldAxes(affine: Affine): WorldAxes {
  const pairs: { a: number; w: number; v: number }[] = [];
  for (let a = 0; a < 3; a++) {
    const norm = Math.hypot(affine[0][a], affine[1][a], affine[2][a]) || 1;
    for (let w = 0; w < 3; w++) pairs.push({ a, w, v: affine[w][a] / norm });
  }
  // Largest |cosine| first; ties by voxel then world axis, so the choice is deterministic.
  pairs.sort((p, q) => Math.abs(q.v) - Math.abs(p.v) || p.a - q.a || p.w - q.w);
  const axis: [number, number, number] = [-1, -1, -1];
  const sign: [number, number, number] = [1, 1, 1];
  const usedVoxel = new Set<number>();
  for (const { a, w, v } of pairs) {
    if (axis[w] !== -1 || usedVoxel.has(a)) continue;
    axis[w] = a;
    sign[w] = v < 0 ? -1 : 1;
    usedVoxel.add(a);
  }
  return { axis, sign };
}
