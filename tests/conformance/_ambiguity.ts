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

/** An exact dyadic rational m · 2^e. */
interface Dyadic {
  m: bigint;
  e: number;
}

function dyadic(d: number): Dyadic {
  if (d === 0) return { m: 0n, e: 0 };
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, d);
  const hi = view.getUint32(0), lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let m = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (biased !== 0) m |= 1n << 52n;
  return { m: hi >>> 31 ? -m : m, e: biased === 0 ? -1074 : biased - 1075 };
}

function add(a: Dyadic, b: Dyadic): Dyadic {
  if (a.e > b.e) return { m: (a.m << BigInt(a.e - b.e)) + b.m, e: b.e };
  return { m: a.m + (b.m << BigInt(b.e - a.e)), e: a.e };
}

function mul(a: Dyadic, b: Dyadic): Dyadic {
  return { m: a.m * b.m, e: a.e + b.e };
}

/** Significant bits of a dyadic (trailing zero bits stripped). */
function bits(d: Dyadic): number {
  let m = d.m < 0n ? -d.m : d.m;
  if (m === 0n) return 0;
  while ((m & 1n) === 0n) m >>= 1n;
  return m.toString(2).length;
}

/**
 * Whether the trilinear value is exactly a half-integer for every float64
 * evaluation order: exact rational arithmetic on the float64 coordinates and
 * voxel values says it is a half, and every weight is a short dyadic (≤ 12
 * bits, e.g. 0.25), so no evaluation rounds. Otherwise a float64
 * implementation may land on either side (the README's genuine ambiguity).
 */
export function exactTrilinearIsHalf(
  value: (i: number, j: number, k: number) => number,
  shape: readonly number[],
  x: readonly [number, number, number],
): boolean {
  const parts = x.map((c, a) => {
    const f = Math.floor(c);
    const t = add(dyadic(c), dyadic(-f));
    const clamp = (i: number) => Math.min(Math.max(i, 0), shape[a] - 1);
    return [
      { i: clamp(f), w: add(dyadic(1), { m: -t.m, e: t.e }) },
      { i: clamp(f + 1), w: t },
    ];
  });
  if (parts.some((p) => bits(p[1].w) > 12)) return false;
  let sum: Dyadic = { m: 0n, e: 0 };
  for (const px of parts[0]) {
    for (const py of parts[1]) {
      for (const pz of parts[2]) {
        const w = mul(mul(px.w, py.w), pz.w);
        sum = add(sum, mul(w, dyadic(value(px.i, py.i, pz.i))));
      }
    }
  }
  // sum is a half-integer iff 2·sum is an odd integer.
  const twice = { m: sum.m, e: sum.e + 1 };
  if (twice.e >= 0) return twice.e === 0 && (twice.m & 1n) === 1n;
  const shift = BigInt(-twice.e);
  const r = twice.m % (1n << shift);
  if (r !== 0n) return false;
  return ((twice.m >> shift) & 1n) === 1n;
}
