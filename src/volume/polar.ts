/** 3×3 polar decomposition: the closest orthogonal matrix (pure math). */

type M3 = number[][];

/** Determinant of a 3×3 matrix. */
export function det3(m: M3): number {
  return m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
    m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
    m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
}

/** Inverse-transpose of a 3×3 matrix (null when singular). */
function invTranspose3(m: M3): M3 | null {
  const d = det3(m);
  if (!Number.isFinite(d) || Math.abs(d) < 1e-300) return null;
  const c = (r: number, k: number) => {
    const rs = [0, 1, 2].filter((x) => x !== r), cs = [0, 1, 2].filter((x) => x !== k);
    const minor = m[rs[0]][cs[0]] * m[rs[1]][cs[1]] - m[rs[0]][cs[1]] * m[rs[1]][cs[0]];
    return ((r + k) % 2 === 0 ? 1 : -1) * minor / d;
  };
  return [0, 1, 2].map((r) => [0, 1, 2].map((k) => c(r, k)));
}

/**
 * The orthogonal factor of the polar decomposition (U·Vᵀ of the SVD): the closest
 * orthogonal matrix to `m`. Returns null when `m` is singular.
 */
export function orthogonalFactor(m: readonly (readonly number[])[]): M3 | null {
  let x = m.map((row) => [...row]);
  for (let it = 0; it < 100; it++) {
    const y = invTranspose3(x);
    if (!y) return null;
    const next = x.map((row, r) => row.map((v, k) => 0.5 * (v + y[r][k])));
    let diff = 0;
    for (let r = 0; r < 3; r++) {
      for (let k = 0; k < 3; k++) diff = Math.max(diff, Math.abs(next[r][k] - x[r][k]));
    }
    x = next;
    if (diff < 1e-15) break;
  }
  return x;
}
