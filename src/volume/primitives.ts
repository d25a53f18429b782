/**
 * Volume primitives (pure, no I/O): crop, pad, flip and permute voxel axes, translate, copy.
 * Every one keeps the world position of every voxel it keeps (the affine follows the data), works
 * on every storage type and on every frame of a 4D volume, keeps the stored values, scaling and
 * header metadata, and never touches its input. The `*Grid` forms give the output grid alone
 * (for planning without data).
 */
import { type Affine, identityAffine, multiplyAffine } from "./affine.ts";
import { createVoxelArray, DTYPE_INFO, type VoxelArray } from "./dtype.ts";
import type { Grid } from "./grid.ts";
import { createVolume, frameLength, type Volume } from "./volume.ts";

/** Three numbers, one per voxel axis (x, y, z). */
export type Triple = readonly [number, number, number];

/** Which axes to flip: a list of voxel axes (0 = x, 1 = y, 2 = z). */
export type Axes = readonly (0 | 1 | 2)[];

/**
 * The affine of a grid whose voxel (0, 0, 0) is voxel `origin` of a grid with `affine`:
 * affine · shift(origin). Whole-voxel origins keep voxel centres exactly on the old ones.
 */
export function translateAffine(affine: Affine, origin: readonly number[]): number[][] {
  const shift = [[1, 0, 0, origin[0]], [0, 1, 0, origin[1]], [0, 0, 1, origin[2]], [0, 0, 0, 1]];
  return multiplyAffine(affine, shift);
}

/**
 * The grid of the `size` voxels starting at voxel `origin` of `grid` (a crop; parts outside
 * `grid`, e.g. a negative origin, are padding).
 */
export function windowGrid(grid: Grid, origin: readonly number[], size: readonly number[]): Grid {
  return {
    shape: [size[0], size[1], size[2]],
    affine: translateAffine(grid.affine, origin),
  };
}

/** The grid of `grid` with the voxel axes in `axes` reversed (world positions kept). */
export function flipGrid(grid: Grid, axes: Axes): Grid {
  const m = identityAffine();
  for (const a of new Set(axes)) {
    m[a][a] = -1;
    m[a][3] = grid.shape[a] - 1;
  }
  return { shape: [...grid.shape], affine: multiplyAffine(grid.affine, m) };
}

/**
 * The grid whose voxel axis d is axis `order[d]` of `grid` (world positions kept): a
 * permutation of [0, 1, 2].
 * @throws RangeError when `order` is not a permutation of 0, 1, 2
 */
export function permuteGrid(grid: Grid, order: Triple): Grid {
  checkPermutation(order);
  const m = [[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 1]];
  for (let d = 0; d < 3; d++) m[order[d]][d] = 1;
  const s = grid.shape;
  return { shape: [s[order[0]], s[order[1]], s[order[2]]], affine: multiplyAffine(grid.affine, m) };
}

/**
 * The `size` voxels of `volume` starting at voxel `origin`, every frame; the affine is translated
 * so that every kept voxel keeps its world position.
 * @throws RangeError when the box is not inside the volume or is empty
 */
export function cropVolume(
  volume: Volume,
  box: { readonly origin: readonly number[]; readonly size: readonly number[] },
): Volume {
  for (let a = 0; a < 3; a++) {
    const o = box.origin[a], n = box.size[a];
    if (!Number.isInteger(o) || !Number.isInteger(n) || o < 0 || n < 1 || o + n > volume.shape[a]) {
      throw new RangeError(
        `Cannot crop ${volume.shape.join("x")} to origin [${box.origin.join(", ")}] size [${
          box.size.join(", ")
        }]: the box must lie inside the volume`,
      );
    }
  }
  return windowVolume(volume, box.origin, box.size);
}

/**
 * `volume` with `before[a]` voxels added before and `after[a]` after each axis, holding the stored
 * value `fill` (default 0) in every frame; the affine is translated so that world positions are
 * kept.
 * @throws RangeError when a margin is negative or not an integer, or the type cannot store `fill`
 */
export function padVolume(
  volume: Volume,
  margins: { readonly before: readonly number[]; readonly after: readonly number[] },
  fill = 0,
): Volume {
  const all = [...margins.before, ...margins.after];
  if (margins.before.length !== 3 || margins.after.length !== 3) {
    throw new RangeError("Cannot pad: `before` and `after` need 3 numbers each");
  }
  if (!all.every((m) => Number.isInteger(m) && m >= 0)) {
    throw new RangeError(`Cannot pad by [${all.join(", ")}]: margins must be integers ≥ 0`);
  }
  const origin = margins.before.map((b) => -b);
  const size = volume.shape.map((n, a) => n + margins.before[a] + margins.after[a]);
  return windowVolume(volume, origin, size, fill);
}

/**
 * The `size` voxels starting at voxel `origin` of `volume` (crop where inside, the stored value
 * `fill` where outside: crop and pad in one), every frame, affine translated to keep world
 * positions.
 * @throws RangeError when a size is not a positive integer or the type cannot store `fill`
 */
export function windowVolume(
  volume: Volume,
  origin: readonly number[],
  size: readonly number[],
  fill = 0,
): Volume {
  if (![0, 1, 2].every((a) => Number.isInteger(origin[a]) && Number.isInteger(size[a]))) {
    throw new RangeError(`Cannot take a window at [${origin.join(", ")}]: voxel indices only`);
  }
  if (!size.slice(0, 3).every((n) => n >= 1)) {
    throw new RangeError(`Cannot take a window of size [${size.join(", ")}]: sizes must be ≥ 1`);
  }
  const [nx, ny, nz] = volume.shape, [mx, my, mz] = size;
  const out = filledArray(volume, mx * my * mz * volume.frames, fill);
  // The x range of each row that lies inside the input.
  const x0 = Math.max(0, -origin[0]), x1 = Math.min(mx, nx - origin[0]);
  const inFrame = frameLength(volume), outFrame = mx * my * mz;
  if (x1 > x0) {
    for (let t = 0; t < volume.frames; t++) {
      for (let k = 0; k < mz; k++) {
        const z = k + origin[2];
        if (z < 0 || z >= nz) continue;
        for (let j = 0; j < my; j++) {
          const y = j + origin[1];
          if (y < 0 || y >= ny) continue;
          const src = t * inFrame + (z * ny + y) * nx + origin[0];
          const dst = t * outFrame + (k * my + j) * mx;
          copyRange(out, dst + x0, volume.data, src + x0, x1 - x0);
        }
      }
    }
  }
  return rebuild(volume, windowGrid(volume, origin, size), out);
}

/** `volume` with the voxel axes in `axes` reversed, every frame; world positions kept. */
export function flipVolume(volume: Volume, axes: Axes): Volume {
  const st = strides(volume.shape);
  const step: [number, number, number] = [st[0], st[1], st[2]];
  let base = 0;
  for (const a of new Set(axes)) {
    base += (volume.shape[a] - 1) * st[a];
    step[a] = -st[a];
  }
  return rebuild(volume, flipGrid(volume, axes), gather(volume, volume.shape, base, step));
}

/**
 * `volume` with voxel axis d taken from its axis `order[d]` (e.g. [2, 0, 1]), every frame;
 * world positions kept.
 * @throws RangeError when `order` is not a permutation of 0, 1, 2
 */
export function permuteVolume(volume: Volume, order: Triple): Volume {
  const grid = permuteGrid(volume, order);
  const st = strides(volume.shape);
  const data = gather(volume, grid.shape, 0, [st[order[0]], st[order[1]], st[order[2]]]);
  return rebuild(volume, grid, data);
}

/**
 * `volume` moved by `offset` mm in world space (the affine's translation changes; the data are
 * shared, not copied: volumes are never mutated).
 */
export function translateVolume(volume: Volume, offset: Triple): Volume {
  const affine = volume.affine.map((row, r) =>
    r < 3 ? [...row.slice(0, 3), row[3] + offset[r]] : [...row]
  );
  return rebuild(volume, { shape: volume.shape, affine }, volume.data);
}

/** A deep copy of `volume`: its own data array (same storage type), affine and metadata. */
export function copyVolume(volume: Volume): Volume {
  return rebuild(volume, volume, volume.data.slice());
}

function strides(shape: readonly number[]): [number, number, number] {
  return [1, shape[0], shape[0] * shape[1]];
}

function checkPermutation(order: readonly number[]): void {
  if (order.length !== 3 || [0, 1, 2].some((a) => !order.includes(a))) {
    throw new RangeError(
      `Cannot permute axes to [${order.join(", ")}]: give a permutation of 0, 1, 2`,
    );
  }
}

/** Output of `shape` whose voxel (i, j, k) of frame t is input voxel base + i·sx + j·sy + k·sz. */
function gather(
  volume: Volume,
  shape: readonly number[],
  base: number,
  [sx, sy, sz]: readonly number[],
): VoxelArray {
  const [mx, my, mz] = shape, inFrame = frameLength(volume);
  const src = volume.data, out = createVoxelArray(volume.dtype, src.length);
  let q = 0;
  for (let t = 0; t < volume.frames; t++) {
    for (let k = 0; k < mz; k++) {
      for (let j = 0; j < my; j++) {
        let p = t * inFrame + base + j * sy + k * sz;
        for (let i = 0; i < mx; i++, p += sx) out[q++] = src[p];
      }
    }
  }
  return out;
}

function copyRange(
  out: VoxelArray,
  at: number,
  src: VoxelArray,
  from: number,
  length: number,
): void {
  // Same storage type on both sides, so `set` copies the stored values exactly.
  (out as Float64Array).set((src as Float64Array).subarray(from, from + length), at);
}

function filledArray(volume: Volume, length: number, fill: number): VoxelArray {
  const info = DTYPE_INFO[volume.dtype];
  const wide = volume.dtype === "int64" || volume.dtype === "uint64";
  const ok = Number.isFinite(fill)
    ? (!info.integer || (wide ? Number.isSafeInteger(fill) : Number.isInteger(fill))) &&
      fill >= info.min && fill <= info.max
    : !info.integer;
  if (!ok) {
    throw new RangeError(`Cannot fill ${volume.dtype} voxels with ${fill}: not representable`);
  }
  const out = createVoxelArray(volume.dtype, length);
  if (fill === 0) return out;
  if (out instanceof BigInt64Array || out instanceof BigUint64Array) out.fill(BigInt(fill));
  else out.fill(fill);
  return out;
}

function rebuild(volume: Volume, grid: Grid, data: VoxelArray): Volume {
  return createVolume({
    shape: grid.shape,
    affine: grid.affine.map((row) => [...row]),
    data,
    frames: volume.frames,
    slope: volume.slope,
    inter: volume.inter,
    meta: { ...volume.meta, intentP: [...volume.meta.intentP] },
  });
}
