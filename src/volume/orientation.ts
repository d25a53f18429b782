/**
 * Reorientation (pure math): the voxel-axis permutation and flips that bring a grid to an
 * orientation code such as RAS or LPS, as nibabel's `io_orientation` → `ornt_transform` →
 * `apply_orientation` + `inv_ornt_aff` compute it. Values are moved, never interpolated.
 */
import { type Affine, AXIS_LABELS, type AxisDirection, ioOrientation } from "./affine.ts";
import type { Grid } from "./grid.ts";
import {
  type Axes,
  flipGrid,
  flipVolume,
  permuteGrid,
  permuteVolume,
  type Triple,
} from "./primitives.ts";
import type { Volume } from "./volume.ts";

/** How a grid is reoriented: output axis d is input axis `order[d]`, then axes `flip` reversed. */
export interface Reorientation {
  /** Orientation code of the input (nibabel `aff2axcodes`), e.g. "LPS". */
  readonly from: string;
  /** Orientation code of the output, e.g. "RAS". */
  readonly to: string;
  /** Output voxel axis d is input voxel axis order[d] (a permutation of 0, 1, 2). */
  readonly order: Triple;
  /** Output voxel axes reversed after the permutation. */
  readonly flip: Axes;
}

/**
 * The directions of a three-letter orientation code (one of L/R, P/A, I/S each, any order), or
 * a message saying what is wrong with it.
 */
export function parseOrientation(code: string): AxisDirection[] | string {
  if (code.length !== 3) return `"${code}" is not three letters (e.g. RAS, LPS, PIR)`;
  const dirs: AxisDirection[] = [];
  for (const ch of code.toUpperCase()) {
    const world = AXIS_LABELS.findIndex((pair) => (pair as readonly string[]).includes(ch));
    if (world < 0) return `"${ch}" is not one of R, L, A, P, S, I`;
    if (dirs.some((d) => d.world === world)) {
      return `"${code}" names the ${AXIS_LABELS[world].join("/")} axis twice`;
    }
    dirs.push({ world: world as 0 | 1 | 2, sign: AXIS_LABELS[world][1] === ch ? 1 : -1 });
  }
  return dirs;
}

const codeOf = (dirs: readonly (AxisDirection | null)[]) =>
  dirs.map((d) => (d ? AXIS_LABELS[d.world][d.sign > 0 ? 1 : 0] : "?")).join("");

/**
 * The permutation and flips that take a grid with `affine` to orientation `to`.
 * @throws RangeError when `to` is not an orientation code or a voxel axis has no direction
 */
export function deriveReorientation(affine: Affine, to: string): Reorientation {
  const target = parseOrientation(to);
  if (typeof target === "string") throw new RangeError(`Cannot reorient to "${to}": ${target}`);
  const current = ioOrientation(affine);
  const from = codeOf(current);
  if (current.some((d) => d === null)) {
    throw new RangeError(
      `Cannot reorient a grid oriented "${from}": a voxel axis has no direction (zero affine column)`,
    );
  }
  const dirs = current as AxisDirection[];
  const order = target.map((t) => dirs.findIndex((d) => d.world === t.world)) as unknown as Triple;
  const flip = ([0, 1, 2] as const).filter((d) => dirs[order[d]].sign !== target[d].sign);
  return { from, to: codeOf(target), order, flip };
}

/** The output grid of reorienting `grid` to `to` (see `deriveReorientation`). */
export function reorientGrid(grid: Grid, to: string): Grid {
  const r = deriveReorientation(grid.affine, to);
  return flipGrid(permuteGrid(grid, r.order), r.flip);
}

/**
 * `volume` reoriented to `to`: voxels permuted and flipped (stored values, type, scaling and
 * every frame kept bit for bit), affine following so every voxel keeps its world position.
 */
export function reorientVolume(volume: Volume, to: string): { volume: Volume; how: Reorientation } {
  const how = deriveReorientation(volume.affine, to);
  const identity = how.flip.length === 0 && how.order.every((a, d) => a === d);
  if (identity) return { volume, how };
  const permuted = how.order.every((a, d) => a === d) ? volume : permuteVolume(volume, how.order);
  return { volume: how.flip.length > 0 ? flipVolume(permuted, how.flip) : permuted, how };
}
