/**
 * Nearest-neighbour sampling of 64-bit integer voxels, exactly. The samplers compute in float64,
 * which holds integers exactly only up to 2^53, so 64-bit labels are not sampled by value: the
 * sampler reads voxel indices (exact for any volume that fits in memory) and each output voxel
 * then copies the input value it landed on, as stored (SPEC §2/§3: nearest results are input
 * values, bit for bit). Pure math, no I/O.
 */

/** A 64-bit integer voxel array. */
export type WideArray = BigInt64Array | BigUint64Array;

/** Index the sampler gives an output voxel outside the input (indices are never negative). */
export const OUTSIDE = -1;

/** Voxel indices 0 … n − 1 as float64: what the sampler reads in place of the values. */
export function voxelIndices(n: number): Float64Array {
  const indices = new Float64Array(n);
  for (let i = 0; i < n; i++) indices[i] = i;
  return indices;
}

/** out[i] = source[index[i]], or `fill` where the sampler gave `OUTSIDE`. */
export function gatherWide(
  index: Float64Array,
  source: WideArray,
  out: WideArray,
  fill: bigint,
): void {
  for (let i = 0; i < index.length; i++) {
    const at = index[i];
    out[i] = at === OUTSIDE ? fill : source[at];
  }
}
