/**
 * The genuine-ambiguity rule of shared/reference/README.md, computed from the
 * SPEC §3 formulas independently of src/volume/grid.ts: which output voxels
 * may differ from the golden output.
 */

/** Sampling coordinates x(i) of one axis in float64, straight from the SPEC §3 table. */
export function specCoordinates(
  n: number,
  s: number,
  target: { size?: number | null; spacing?: number | null },
  grid: "center" | "origin" | "corners",
): number[] {
  let m: number, r: number;
  if (target.spacing != null) {
    const q = n * s / target.spacing;
    const f = Math.floor(q);
    m = Math.max(1, q - f === 0.5 ? (f % 2 === 0 ? f : f + 1) : Math.round(q));
    r = target.spacing / s;
  } else if (target.size != null) {
    m = target.size;
    r = (s * n / m) / s;
  } else return Array.from({ length: n }, (_, i) => i);
  return Array.from({ length: m }, (_, i) => {
    if (grid === "origin") return i * r;
    if (grid === "corners") return m === 1 ? 0 : i * (n - 1) / (m - 1);
    return (n - 1) / 2 + (i - (m - 1) / 2) * r;
  });
}

/** Whether a nearest pick at x is ambiguous: within 1e-6 of a half-integer without being one. */
export function nearHalfCoordinate(x: number): boolean {
  const d = Math.abs(x - (Math.floor(x) + 0.5));
  return d < 1e-6 && d !== 0;
}

/** Whether an exact value rounds ambiguously: within 0.005 of a .5 boundary without being on it. */
export function nearHalfValue(v: number): boolean {
  const d = Math.abs(v - (Math.floor(v) + 0.5));
  return d <= 0.005 && d !== 0;
}
