/**
 * Float values computed again when read instead of held (issue 15, peak memory). A linear
 * resampling whose next step only reads its values in voxel order (a z-score: one pass for the
 * mean, one for the std, one to map) need not hold its float64 result: the next step runs the
 * resampling once per pass, plane by plane, and the subject holds the input and the next
 * step's result instead of the input, a float64 volume and the result. The values are the same
 * bits every pass (the same arithmetic in the same order), and the same as the held volume's.
 */
import { createVoxelArray } from "./dtype.ts";

/** A volume's float values, computed again on every read (see the module comment). */
export interface DeferredValues {
  /** The array type the values are stored in when held (`materializeDeferred`). */
  readonly dtype: "float32" | "float64";
  /** Number of values (the volume's voxels times frames). */
  readonly length: number;
  /**
   * Buffers the values are computed from: kept alive and never recycled while the values are
   * deferred (the runner adds them to the subject's live buffers).
   */
  readonly sources: readonly ArrayBufferLike[];
  /**
   * Calls `visit(values, at)` for consecutive runs of frame `frame`'s values in voxel order
   * (`at`: the index of `values[0]` in the volume's data). `values` is scratch, overwritten
   * after `visit` returns.
   */
  each(frame: number, visit: (values: Float32Array | Float64Array, at: number) => void): void;
  /** Number of frames `each` takes. */
  readonly frames: number;
}

/** The deferred values held: what the step would have returned without deferring. */
export function materializeDeferred(d: DeferredValues): Float32Array | Float64Array {
  const out = createVoxelArray(d.dtype, d.length) as Float32Array | Float64Array;
  for (let f = 0; f < d.frames; f++) d.each(f, (values, at) => out.set(values, at));
  return out;
}
