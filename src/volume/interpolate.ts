/**
 * Per-axis sampling tables for separable resampling: for each output index the
 * input taps (already clamped or mirrored into range) and their weights, plus
 * whether the sample lies inside the field of view (SPEC §3).
 */
import { bsplineWeights, mirrorIndex } from "./bspline.ts";
import { type AxisMap, insideFov } from "./grid.ts";

/** Interpolators of SPEC §3 (the recipe's `interpolation:` values). */
export const INTERPOLATIONS = ["nearest", "linear", "bspline"] as const;

/** One interpolator of SPEC §3: nearest neighbour, trilinear, or cubic B-spline. */
export type Interpolation = typeof INTERPOLATIONS[number];

/** Taps of one axis: output i reads `idx[i*taps + q]` with weight `w[i*taps + q]`. */
export interface AxisTaps {
  readonly n: number;
  readonly m: number;
  readonly taps: number;
  readonly idx: Int32Array;
  readonly w: Float64Array;
  /** 1 where output i samples inside the input's field of view, 0 where it takes the fill. */
  readonly valid: Uint8Array;
}

/** Builds the tap table of one axis for `interpolation`. */
export function deriveAxisTaps(axis: AxisMap, interpolation: Interpolation): AxisTaps {
  const { n, m } = axis;
  const taps = interpolation === "nearest" ? 1 : interpolation === "linear" ? 2 : 4;
  const idx = new Int32Array(m * taps);
  const w = new Float64Array(m * taps);
  const valid = new Uint8Array(m);
  const bw = new Float64Array(4);
  const clamp = (v: number) => (v < 0 ? 0 : v > n - 1 ? n - 1 : v);
  for (let i = 0; i < m; i++) {
    const x = axis.coordinate(i);
    valid[i] = insideFov(x, n) ? 1 : 0;
    const o = i * taps;
    if (interpolation === "nearest") {
      idx[o] = clamp(Math.floor(x + 0.5));
      w[o] = 1;
      continue;
    }
    const f = Math.floor(x);
    const t = x - f;
    if (interpolation === "linear") {
      idx[o] = clamp(f);
      // A zero weight reads the same voxel, so an exact hit never touches a neighbour.
      idx[o + 1] = t === 0 ? idx[o] : clamp(f + 1);
      w[o] = 1 - t;
      w[o + 1] = t;
      continue;
    }
    bsplineWeights(t, bw);
    for (let q = 0; q < 4; q++) {
      idx[o + q] = mirrorIndex(f - 1 + q, n);
      w[o + q] = bw[q];
    }
  }
  return { n, m, taps, idx, w, valid };
}

/** Anti-aliasing σ in input voxels for an axis with ratio r (SPEC §3: (r − 1)/2 when r > 1). */
export function antialiasSigma(r: number): number {
  return r > 1 ? (r - 1) / 2 : 0;
}
