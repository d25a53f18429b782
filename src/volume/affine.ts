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

/** Euclidean norms of the first three columns (the voxel spacing). */
export function columnNorms(a: Affine): [number, number, number] {
  const n = (c: number) => Math.hypot(a[0][c], a[1][c], a[2][c]);
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

/**
 * Orientation codes (nibabel's `aff2axcodes`): the world direction each voxel
 * axis points to, e.g. "LAS". Uses the same greedy assignment as nibabel's
 * `io_orientation` on the rotation part.
 */
export function deriveOrientation(a: Affine): string {
  const labels = [["L", "R"], ["P", "A"], ["I", "S"]];
  const rzs = [0, 1, 2].map((r) => [0, 1, 2].map((c) => a[r][c]));
  const norms = columnNorms(a);
  // Normalised columns; a zero column stays zero.
  const m = rzs.map((row) => row.map((v, c) => (norms[c] === 0 ? 0 : v / norms[c])));
  const used = new Set<number>();
  const out = ["", "", ""];
  // nibabel: repeatedly pick the largest |value| among unused rows/cols.
  const doneCols = new Set<number>();
  for (let step = 0; step < 3; step++) {
    let best = -1, br = -1, bc = -1;
    for (let r = 0; r < 3; r++) {
      if (used.has(r)) continue;
      for (let c = 0; c < 3; c++) {
        if (doneCols.has(c)) continue;
        const v = Math.abs(m[r][c]);
        if (v > best) [best, br, bc] = [v, r, c];
      }
    }
    if (best <= 0) break;
    used.add(br);
    doneCols.add(bc);
    out[bc] = labels[br][m[br][bc] > 0 ? 1 : 0];
  }
  return out.map((s) => s || "?").join("");
}
