import { bsplineWeights } from "./bspline.ts";

/**
 * Smooth displacement fields from a coarse control-point grid (cubic B-spline
 * tensor product, ITK BSplineTransform layout): `n` control points per axis
 * span a volume of `N` voxels with knot spacing h = (N−1)/(n−3), so voxel x
 * sits at control coordinate u = x/h + 1 and every voxel is covered by 4
 * control points. The basis is non-negative and sums to 1, so each component
 * of the field is bounded by the largest control displacement of that
 * component. Outside the volume the field is extended as at its edge.
 */

/** Control coordinate of continuous voxel index `x` (clamped to the covered span). */
function controlCoordinate(x: number, size: number, points: number): number {
  if (size <= 1) return 1;
  const u = (x * (points - 3)) / (size - 1) + 1;
  return u < 1 ? 1 : u > points - 2 ? points - 2 : u;
}

/** A displacement field in voxel units over a grid of `shape`. */
export interface DisplacementField {
  readonly shape: readonly [number, number, number];
  /**
   * Adds the displacement of grid voxels (x0 + i, j, k), i = 0…xs.length−1, to xs, ys, zs;
   * j and k must lie on the grid (voxels off it in x are evaluated point by point).
   */
  addRow(
    j: number,
    k: number,
    xs: Float64Array,
    ys: Float64Array,
    zs: Float64Array,
    x0?: number,
  ): void;
  /** Displacement at any continuous index, written to out[0..2]. */
  at(x: number, y: number, z: number, out: Float64Array): void;
}

/**
 * Builds the field of control displacements `values` (points[0]·points[1]·points[2]
 * vectors, x fastest, components interleaved, voxel units) over a grid of `shape`.
 * @throws RangeError when an axis has fewer than 4 control points or values has the wrong length
 */
export function createDisplacementField(
  shape: readonly [number, number, number],
  points: readonly [number, number, number],
  values: Float64Array,
): DisplacementField {
  const [px, py, pz] = points;
  if (Math.min(px, py, pz) < 4 || values.length !== px * py * pz * 3) {
    throw new RangeError(`Cannot build displacement field from ${points.join("x")} control points`);
  }
  const w4 = new Float64Array(4);
  const axis = (a: number) => {
    const n = shape[a], w = new Float64Array(n * 4), base = new Int32Array(n);
    for (let x = 0; x < n; x++) {
      const u = controlCoordinate(x, n, points[a]);
      let f = Math.floor(u);
      if (f > points[a] - 3) f = points[a] - 3; // u = n−2 exactly: last weight is 0
      bsplineWeights(u - f, w4);
      w.set(w4, 4 * x);
      base[x] = f - 1;
    }
    return { w, base };
  };
  const ax = axis(0), ay = axis(1), az = axis(2);
  const plane = new Float64Array(px * py * 3), line = new Float64Array(px * 3);
  let planeK = -1;
  const wx = new Float64Array(4), wy = new Float64Array(4), wz = new Float64Array(4);
  const d = new Float64Array(3);
  const at = (x: number, y: number, z: number, out: Float64Array): void => {
    const bx = split(controlCoordinate(x, shape[0], px), px, wx);
    const by = split(controlCoordinate(y, shape[1], py), py, wy);
    const bz = split(controlCoordinate(z, shape[2], pz), pz, wz);
    out[0] = out[1] = out[2] = 0;
    for (let c = 0; c < 4; c++) {
      for (let b = 0; b < 4; b++) {
        const wbc = wz[c] * wy[b], r = ((bz + c) * py + by + b) * px;
        for (let a = 0; a < 4; a++) {
          const wgt = wbc * wx[a], o = 3 * (r + bx + a);
          out[0] += wgt * values[o];
          out[1] += wgt * values[o + 1];
          out[2] += wgt * values[o + 2];
        }
      }
    }
  };
  return {
    shape,
    addRow(j, k, xs, ys, zs, x0 = 0) {
      if (k !== planeK) {
        plane.fill(0);
        for (let c = 0; c < 4; c++) {
          const wgt = az.w[4 * k + c], off = (az.base[k] + c) * px * py * 3;
          for (let q = 0; q < plane.length; q++) plane[q] += wgt * values[off + q];
        }
        planeK = k;
      }
      line.fill(0);
      for (let b = 0; b < 4; b++) {
        const wgt = ay.w[4 * j + b], off = (ay.base[j] + b) * px * 3;
        for (let q = 0; q < line.length; q++) line[q] += wgt * plane[off + q];
      }
      // Along x the field is a cubic polynomial in t = u − f on each knot interval f.
      const ab = ax.base, ln = line, nx = shape[0], n = xs.length;
      const sc = nx > 1 ? (px - 3) / (nx - 1) : 0;
      let cur = -1;
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0;
      let e0 = 0, e1 = 0, e2 = 0, e3 = 0;
      for (let i = 0; i < n; i++) {
        const g = i + x0;
        if (g < 0 || g >= nx) {
          at(g, j, k, d);
          xs[i] += d[0], ys[i] += d[1], zs[i] += d[2];
          continue;
        }
        const base = ab[g];
        if (base !== cur) {
          cur = base;
          const o = 3 * base;
          [a0, a1, a2, a3] = cubic(ln[o], ln[o + 3], ln[o + 6], ln[o + 9]);
          [b0, b1, b2, b3] = cubic(ln[o + 1], ln[o + 4], ln[o + 7], ln[o + 10]);
          [e0, e1, e2, e3] = cubic(ln[o + 2], ln[o + 5], ln[o + 8], ln[o + 11]);
        }
        const tt = nx > 1 ? g * sc - base : 0;
        xs[i] += a0 + tt * (a1 + tt * (a2 + tt * a3));
        ys[i] += b0 + tt * (b1 + tt * (b2 + tt * b3));
        zs[i] += e0 + tt * (e1 + tt * (e2 + tt * e3));
      }
    },
    at,
  };
}

/** Power-basis coefficients of the cubic B-spline segment with control values p0…p3. */
function cubic(p0: number, p1: number, p2: number, p3: number): [number, number, number, number] {
  return [
    (p0 + 4 * p1 + p2) / 6,
    (p2 - p0) / 2,
    (p0 - 2 * p1 + p2) / 2,
    (p3 - p0 + 3 * (p1 - p2)) / 6,
  ];
}

function split(u: number, points: number, w: Float64Array): number {
  let f = Math.floor(u);
  if (f > points - 3) f = points - 3;
  bsplineWeights(u - f, w);
  return f - 1;
}
