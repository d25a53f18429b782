/**
 * Resampling grids (SPEC §3): which continuous input index x(i) each output
 * voxel samples, per axis, and the output affine. Shared by a step's `plan`
 * (dry run) and `apply`, so both always agree. All arithmetic is float64.
 */
import { type Affine, columnNorms } from "./affine.ts";

/**
 * A voxel grid: the size of each voxel axis and the voxel → world affine. The one geometry type:
 * a Volume is a Grid with data, a resampling a Grid with its axis maps; the frames of a 4D
 * volume share one Grid.
 */
export interface Grid {
  /** Voxels per axis [nx, ny, nz]. */
  readonly shape: readonly [number, number, number];
  /** Voxel (i, j, k) → world RAS+ mm. */
  readonly affine: Affine;
}

/**
 * Where output voxel centres are placed relative to the input (SPEC §3 table). `corners`
 * applies to output sizes only, `edge` (TorchIO's `Resample(spacing)`) to output spacings only.
 */
export type GridKind = "center" | "origin" | "corners" | "edge";

/** The mapping of one voxel axis: output index i → input index x(i) = `coordinate(i)`. */
export interface AxisMap {
  /** Input size N. */
  readonly n: number;
  /** Output size M. */
  readonly m: number;
  /** Output spacing / input spacing (the column scale of the output affine). */
  readonly r: number;
  /** Grid actually used on this axis ("keep" for a null axis). */
  readonly kind: GridKind | "keep";
  /** Whether x(i) = i for every i and M = N (the axis needs no resampling). */
  readonly identity: boolean;
  /** Input index sampled by output index i. */
  coordinate(i: number): number;
}

/** What the caller asks for: output sizes or output spacings, `null` keeping an axis. */
export type GridRequest =
  | { readonly size: readonly (number | null)[]; readonly grid: GridKind }
  | { readonly spacing: readonly (number | null)[]; readonly grid: GridKind };

/** Output grid (shape, affine) and the three axis maps of a resampling. */
export interface ResampleGrid extends Grid {
  readonly shape: [number, number, number];
  readonly affine: number[][];
  readonly axes: readonly [AxisMap, AxisMap, AxisMap];
}

/** Largest output volume (voxels per frame) a resampling may make: 2^31 − 1. */
export const MAX_VOXELS = 2 ** 31 - 1;

/** Rounds half to even (numpy's `round`), for M = round(N·s/t). */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d < 0.5) return f;
  if (d > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

function makeAxis(n: number, m: number, r: number, kind: AxisMap["kind"]): AxisMap {
  let coordinate: (i: number) => number;
  if (kind === "keep") coordinate = (i) => i;
  else if (kind === "origin") coordinate = (i) => i * r;
  else if (kind === "corners") coordinate = m === 1 ? () => 0 : (i) => i * (n - 1) / (m - 1);
  else if (kind === "edge") coordinate = (i) => (r - 1) / 2 + i * r;
  else coordinate = (i) => (n - 1) / 2 + (i - (m - 1) / 2) * r;
  let identity = m === n;
  for (let i = 0; identity && i < m; i++) identity = coordinate(i) === i;
  return { n, m, r, kind, identity, coordinate };
}

/**
 * One axis: `n` input voxels of spacing `s`, resampled to `size` voxels or to
 * spacing `spacing` (whichever is given; both null keeps the axis).
 * On `corners`, an axis of one input voxel uses `center` (identical values: a
 * single sample) and an output of one voxel keeps the first centre with r = N.
 * On `edge` (spacing only), M = ceil(N·s/t) with an axis of one voxel kept at one, as
 * TorchIO's `Resample(spacing)` computes it in float64.
 * @throws RangeError for `edge` with a size target (it is defined by a spacing)
 */
export function deriveAxisMap(
  n: number,
  s: number,
  target: { size?: number | null; spacing?: number | null },
  grid: GridKind,
): AxisMap {
  if (target.spacing != null) {
    const t = target.spacing;
    if (grid === "edge") return makeAxis(n, n === 1 ? 1 : Math.ceil(n * s / t), t / s, "edge");
    const m = Math.max(1, roundHalfEven(n * s / t));
    return makeAxis(n, m, t / s, grid);
  }
  if (target.size == null) return makeAxis(n, n, 1, "keep");
  if (grid === "edge") {
    throw new RangeError(
      'Cannot resample to a size on the "edge" grid: it is defined by a spacing',
    );
  }
  const m = target.size;
  if (grid === "corners" && n > 1) {
    if (m === 1) return makeAxis(n, m, n, "corners");
    const t = s * (n - 1) / (m - 1);
    return makeAxis(n, m, t / s, "corners");
  }
  const t = s * n / m;
  return makeAxis(n, m, t / s, grid === "corners" ? "center" : grid);
}

/**
 * The output grid for an input of `shape` and `affine`: output affine = input
 * affine ∘ (per-axis scale r, offset x(0)); direction and shear are kept.
 * @throws RangeError when the output would exceed MAX_VOXELS
 */
export function deriveResampleGrid(
  shape: readonly [number, number, number],
  affine: Affine,
  request: GridRequest,
): ResampleGrid {
  const s = columnNorms(affine);
  const axes = [0, 1, 2].map((a) => {
    const target = "size" in request ? { size: request.size[a] } : { spacing: request.spacing[a] };
    return deriveAxisMap(shape[a], s[a], target, request.grid);
  }) as [AxisMap, AxisMap, AxisMap];
  const voxels = axes[0].m * axes[1].m * axes[2].m;
  if (voxels > MAX_VOXELS) {
    throw new RangeError(
      `Cannot resample to ${axes.map((a) => a.m).join("x")}: ${voxels} voxels per volume ` +
        `is more than the ${MAX_VOXELS} supported (check the size or spacing)`,
    );
  }
  const x0 = axes.map((ax) => ax.coordinate(0));
  const out = [0, 1, 2].map((r) => [
    affine[r][0] * axes[0].r,
    affine[r][1] * axes[1].r,
    affine[r][2] * axes[2].r,
    affine[r][0] * x0[0] + affine[r][1] * x0[1] + affine[r][2] * x0[2] + affine[r][3],
  ]);
  out.push([0, 0, 0, 1]);
  return { shape: [axes[0].m, axes[1].m, axes[2].m], affine: out, axes };
}

/**
 * How far (in input voxels) beyond the outer voxel edge a sample still counts as inside
 * (SPEC §3): more than the drift of x(i) = i·r when spacings come from float32 pixdims
 * (halving 0.9 mm on 300 voxels drifts by ~4e-6 voxel), far less than any real sample offset.
 */
export const EDGE_TOLERANCE = 1e-4;

/** Whether input index x lies inside the field of view (the outer voxel edge, ± EDGE_TOLERANCE, is inside). */
export function insideFov(x: number, n: number): boolean {
  return !(x < -0.5 - EDGE_TOLERANCE || x > n - 0.5 + EDGE_TOLERANCE);
}
