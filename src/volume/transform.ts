import { type Affine, invertAffine, multiplyAffine } from "./affine.ts";
import type { DisplacementField } from "./elastic.ts";
import type { CoordinateMap } from "./warp.ts";

/** A 3×4 row-major matrix (12 numbers) mapping an output voxel index to an input voxel index. */
export type VoxelMatrix = readonly number[];

/** One link of a pull-back chain: a voxel matrix or a displacement field (x ↦ x + d(x)). */
export type Stage =
  | { readonly kind: "matrix"; readonly m: VoxelMatrix }
  | { readonly kind: "field"; readonly field: DisplacementField };

const SNAP = 1e-9;

/** The 3×4 voxel matrix of a 4×4 affine. */
export function matrixOf(a: Affine): number[] {
  return [0, 1, 2].flatMap((r) => [a[r][0], a[r][1], a[r][2], a[r][3]]);
}

function toAffine(m: VoxelMatrix): number[][] {
  return [m.slice(0, 4), m.slice(4, 8), m.slice(8, 12), [0, 0, 0, 1]];
}

/** Matrix of "apply `first`, then `second`" (second · first). */
export function chainMatrices(first: VoxelMatrix, second: VoxelMatrix): number[] {
  return matrixOf(multiplyAffine(toAffine(second), toAffine(first)));
}

/** Inverse of a voxel matrix. */
export function invertMatrix(m: VoxelMatrix): number[] {
  return matrixOf(invertAffine(toAffine(m)));
}

/**
 * Merges neighbouring matrices of a pull-back chain (stages[0] acts on output
 * indices, the last yields input indices), drops identities and snaps entries
 * within 1e-9 of an integer, so exact maps (flips, crops, 90° turns) stay exact.
 */
export function composeStages(stages: readonly Stage[]): Stage[] {
  const out: Stage[] = [];
  for (const s of stages) {
    const last = out[out.length - 1];
    if (s.kind === "matrix" && last?.kind === "matrix") {
      out[out.length - 1] = { kind: "matrix", m: chainMatrices(last.m, s.m) };
    } else out.push(s);
  }
  return out.map((s): Stage => (s.kind === "matrix" ? { kind: "matrix", m: s.m.map(snap) } : s))
    .filter((s) => !(s.kind === "matrix" && isIdentityMatrix(s.m)));
}

function snap(v: number): number {
  const r = Math.round(v);
  return Math.abs(v - r) < SNAP ? r + 0 : v;
}

function isIntegerShift(m: VoxelMatrix): boolean {
  return [0, 1, 2].every((r) =>
    [0, 1, 2].every((c) => m[4 * r + c] === (r === c ? 1 : 0)) && Number.isInteger(m[4 * r + 3])
  );
}

function isIdentityMatrix(m: VoxelMatrix): boolean {
  return m.every((v, i) => v === (i % 5 === 0 ? 1 : 0));
}

/** Whether a composed chain samples only integer input indices (no interpolation needed). */
export function isIntegralChain(stages: readonly Stage[]): boolean {
  return stages.every((s) => s.kind === "matrix" && s.m.every(Number.isInteger));
}

/** The coordinate map of a composed pull-back chain over an output grid of `shape`. */
export function createCoordinateMap(
  shape: readonly [number, number, number],
  stages: readonly Stage[],
): CoordinateMap {
  // A field right after a whole-voxel shift (a crop) still reads grid rows, shifted.
  const shiftedField = stages[0]?.kind === "matrix" && stages[1]?.kind === "field" &&
      isIntegerShift(stages[0].m)
    ? { off: [stages[0].m[3], stages[0].m[7], stages[0].m[11]], field: stages[1].field }
    : null;
  const head = shiftedField ? undefined : stages[0];
  const rest = stages.slice(shiftedField ? 2 : 1);
  const d = new Float64Array(3);
  return {
    shape,
    row(j, k, xs, ys, zs) {
      const n = xs.length;
      if (shiftedField) {
        const { off, field } = shiftedField, y = j + off[1], z = k + off[2];
        for (let i = 0; i < n; i++) {
          xs[i] = i + off[0];
          ys[i] = y;
          zs[i] = z;
        }
        if (y >= 0 && y < field.shape[1] && z >= 0 && z < field.shape[2]) {
          field.addRow(y, z, xs, ys, zs, off[0]);
        } else {
          for (let i = 0; i < n; i++) {
            field.at(xs[i], y, z, d);
            xs[i] += d[0];
            ys[i] += d[1];
            zs[i] += d[2];
          }
        }
      } else if (head?.kind === "matrix") {
        const m = head.m;
        const bx = m[1] * j + m[2] * k + m[3], by = m[5] * j + m[6] * k + m[7];
        const bz = m[9] * j + m[10] * k + m[11];
        for (let i = 0; i < n; i++) {
          xs[i] = m[0] * i + bx;
          ys[i] = m[4] * i + by;
          zs[i] = m[8] * i + bz;
        }
      } else {
        for (let i = 0; i < n; i++) {
          xs[i] = i;
          ys[i] = j;
          zs[i] = k;
        }
        if (head) head.field.addRow(j, k, xs, ys, zs);
      }
      for (const s of rest) {
        if (s.kind === "matrix") {
          const m = s.m;
          for (let i = 0; i < n; i++) {
            const x = xs[i], y = ys[i], z = zs[i];
            xs[i] = m[0] * x + m[1] * y + m[2] * z + m[3];
            ys[i] = m[4] * x + m[5] * y + m[6] * z + m[7];
            zs[i] = m[8] * x + m[9] * y + m[10] * z + m[11];
          }
        } else {
          for (let i = 0; i < n; i++) {
            s.field.at(xs[i], ys[i], zs[i], d);
            xs[i] += d[0];
            ys[i] += d[1];
            zs[i] += d[2];
          }
        }
      }
    },
  };
}

/**
 * Maps an input-side point forward through a pull-back chain (its inverse):
 * matrices are inverted, fields solved by fixed-point iteration (q = p − d(q)).
 */
export function pushForward(stages: readonly Stage[], point: readonly number[]): number[] {
  let p = [...point];
  const d = new Float64Array(3);
  for (let s = stages.length - 1; s >= 0; s--) {
    const st = stages[s];
    if (st.kind === "matrix") {
      const m = invertMatrix(st.m);
      p = [0, 1, 2].map((r) =>
        m[4 * r] * p[0] + m[4 * r + 1] * p[1] + m[4 * r + 2] * p[2] + m[4 * r + 3]
      );
    } else {
      const q = [...p];
      for (let it = 0; it < 20; it++) {
        st.field.at(q[0], q[1], q[2], d);
        for (let a = 0; a < 3; a++) q[a] = p[a] - d[a];
      }
      p = q;
    }
  }
  return p;
}
