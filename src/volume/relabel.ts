/** Label value mapping (pure math): integer-exact, into the smallest label type that holds it. */
import { createVoxelArray, labelTypeHolding, type NumberArray } from "./dtype.ts";
import { createVolume, numericData, type Volume } from "./volume.ts";

/** How label values change: `map` first, then `keep`, then `consecutive`. */
export interface Relabeling {
  /** Value → new value; values not listed are kept. */
  readonly map: ReadonlyMap<number, number>;
  /** Values kept after `map` (others → 0); undefined keeps all. */
  readonly keep?: ReadonlySet<number>;
  /** Renumber the nonzero values present to 1…K in increasing order. */
  readonly consecutive: boolean;
}

/**
 * `volume` (every frame) with its real label values mapped; stored in the smallest of
 * uint8/int16/int32 holding the result (scaling 1, 0). Returns every value present → new value.
 * @throws Error when a voxel is not an integer or the result does not fit int32
 */
export function relabelVolume(
  volume: Volume,
  how: Relabeling,
  role = "label",
): { volume: Volume; mapping: Map<number, number> } {
  const src = numericData(volume), { slope, inter } = volume;
  // The distinct values present (sorted), through a cache of raw → real value.
  const present = new Set<number>();
  let last = NaN;
  for (let i = 0; i < src.length; i++) {
    if (src[i] === last) continue;
    last = src[i];
    const v = last * slope + inter;
    if (!Number.isInteger(v)) {
      throw new Error(
        `Cannot relabel role "${role}": voxel ${i} holds ${v}, not an integer label value`,
      );
    }
    present.add(v);
  }
  const values = [...present].sort((a, b) => a - b);
  const mapping = new Map<number, number>();
  for (const v of values) {
    let r = how.map.get(v) ?? v;
    if (how.keep && !how.keep.has(r)) r = 0;
    mapping.set(v, r);
  }
  if (how.consecutive) {
    const nonzero = [...new Set(mapping.values())].filter((r) => r !== 0).sort((a, b) => a - b);
    const rank = new Map(nonzero.map((r, k) => [r, k + 1]));
    for (const [v, r] of mapping) mapping.set(v, r === 0 ? 0 : rank.get(r)!);
  }
  const results = [...mapping.values()];
  const lo = Math.min(0, ...results), hi = Math.max(0, ...results);
  const dtype = labelTypeHolding(lo, hi);
  if (!dtype) {
    throw new Error(`Cannot relabel role "${role}": values ${lo}..${hi} do not fit int32`);
  }
  const out = createVoxelArray(dtype, src.length) as NumberArray;
  let raw = NaN, to = 0;
  for (let i = 0; i < src.length; i++) {
    if (src[i] !== raw) {
      raw = src[i];
      to = mapping.get(raw * slope + inter)!;
    }
    out[i] = to;
  }
  return {
    volume: createVolume({
      shape: volume.shape,
      frames: volume.frames,
      data: out,
      affine: volume.affine,
      meta: volume.meta,
    }),
    mapping,
  };
}
