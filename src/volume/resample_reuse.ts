/**
 * Resampling into the bytes of a consumed input (issue 15, peak memory): when the caller
 * never reads the input's voxels again (`ResampleOptions.consumeInput`, granted by the runner
 * for a volume only the current subject holds), the result — and the whole-axis float stack of
 * a B-spline or anti-aliased z pass — are written into the input's own bytes as far as the
 * passes have finished reading them, instead of into fresh memory. The values computed are the
 * same (same passes, same order, same float types); only where they are stored changes.
 *
 * Safety rule: a byte of the input is overwritten only after the last read of the input plane
 * holding it. The plans below check that for every output plane (or stack plane) before anything
 * is written; when any plane would break it, nothing is placed in the input (fresh memory, as
 * without `consumeInput`).
 */
import { type DType, DTYPE_INFO, viewVoxelArray, type VoxelArray } from "./dtype.ts";
import type { FloatArray } from "./scratch.ts";

/** The input's bytes: its voxel view's range of its buffer (never beyond it). */
export interface InputBytes {
  readonly buffer: ArrayBuffer;
  readonly byteOffset: number;
  readonly byteLength: number;
  /** Bytes of one input plane (nx · ny voxels). */
  readonly planeBytes: number;
  /** Planes per frame. */
  readonly nz: number;
  readonly frames: number;
}

/** The input's bytes of a voxel array of `frames` frames of `nz` planes of `plane` voxels. */
export function inputBytesOf(
  data: VoxelArray,
  plane: number,
  nz: number,
  frames: number,
): InputBytes | undefined {
  if (!(data.buffer instanceof ArrayBuffer)) return undefined; // shared memory: never reused
  return {
    buffer: data.buffer,
    byteOffset: data.byteOffset,
    byteLength: data.byteLength,
    planeBytes: plane * data.BYTES_PER_ELEMENT,
    nz,
    frames,
  };
}

/**
 * The streamed (plane by plane) result placed at the start of the input's bytes, when every
 * output plane k of every frame f ends before the first input plane read after it is written:
 * `readsAfter[k]` (`SeparablePass.readsAfter`; `nz` when only the next frame's planes remain).
 */
export function streamedOutputInInput(
  input: InputBytes,
  dtype: DType,
  outPlane: number,
  readsAfter: Int32Array,
): VoxelArray | undefined {
  const bytes = DTYPE_INFO[dtype].bytes;
  const { byteOffset, planeBytes, nz, frames } = input;
  const mz = readsAfter.length;
  const length = outPlane * mz * frames;
  if (byteOffset % bytes !== 0 || length * bytes > input.byteLength) return undefined;
  const outPlaneBytes = outPlane * bytes;
  for (let f = 0; f < frames; f++) {
    for (let k = 0; k < mz; k++) {
      const end = (f * mz + k + 1) * outPlaneBytes;
      if (end > (f * nz + readsAfter[k]) * planeBytes) return undefined;
    }
  }
  return viewVoxelArray(dtype, input.buffer, byteOffset, length);
}

/**
 * The whole-axis z stack (`nz` planes of `outPlane` floats, rebuilt for each frame) placed at
 * the start of the input's bytes, when a stack plane is no larger than an input plane: stack
 * plane k then ends before input plane k + 1 of any frame starts (plane k itself is read into
 * scratch first where they overlap: `SeparablePass`).
 */
export function stackInInput(
  input: InputBytes,
  f64: boolean,
  outPlane: number,
): FloatArray | undefined {
  const bytes = f64 ? 8 : 4;
  if (input.byteOffset % bytes !== 0 || outPlane * bytes > input.planeBytes) return undefined;
  const length = outPlane * input.nz;
  return f64
    ? new Float64Array(input.buffer, input.byteOffset, length)
    : new Float32Array(input.buffer, input.byteOffset, length);
}

/**
 * The result of a stacked resampling placed in the input's bytes right after the stack (one
 * frame only: the input is wholly read before the first output plane is written).
 */
export function stackedOutputInInput(
  input: InputBytes,
  stack: FloatArray,
  dtype: DType,
  length: number,
): VoxelArray | undefined {
  const bytes = DTYPE_INFO[dtype].bytes;
  const at = stack.byteOffset + stack.byteLength;
  if (input.frames !== 1 || at % bytes !== 0) return undefined;
  if (at + length * bytes > input.byteOffset + input.byteLength) return undefined;
  return viewVoxelArray(dtype, input.buffer, at, length);
}

/** Whether two views share bytes of one buffer. */
export function overlaps(
  a: { buffer: ArrayBufferLike; byteOffset: number; byteLength: number },
  b: { buffer: ArrayBufferLike; byteOffset: number; byteLength: number },
): boolean {
  return a.buffer === b.buffer && a.byteOffset < b.byteOffset + b.byteLength &&
    b.byteOffset < a.byteOffset + a.byteLength;
}
