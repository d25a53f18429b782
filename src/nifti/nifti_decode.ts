/** Reads a NIfTI header and its voxels from byte streams into a storage-typed buffer. */
import { NiftiError } from "../errors.ts";
import { DTYPE_INFO } from "../volume/dtype.ts";
import type { ByteStream } from "./byte_stream.ts";
import { gunzipWhole, libdeflateActive } from "./libdeflate.ts";
import { detectNiftiHeader, parseNiftiHeader } from "./nifti_header.ts";
import { describeNifti, type NiftiDescription, voxelByteCount } from "./nifti_info.ts";

/** Options of every NIfTI read. */
export interface ReadOptions {
  /** Largest voxel buffer to allocate, in bytes (default: env MEDPREP_MAX_BYTES or 8 GiB). */
  maxBytes?: number;
  /**
   * Fold dimensions beyond the 4th into frames instead of rejecting the file
   * (for inspection; a recipe run keeps the default, false).
   */
  flattenExtraDims?: boolean;
  /**
   * Supplies the voxel buffer (at least `bytes` long; e.g. a reused one from a pool);
   * default: a new ArrayBuffer of exactly `bytes`.
   */
  allocate?: (bytes: number) => ArrayBuffer;
}

const DEFAULT_MAX_BYTES = 8 * 1024 ** 3;
/** deflate cannot expand more than 1032:1. */
const MAX_DEFLATE_RATIO = 1032;

/** The memory guard in effect: `options.maxBytes`, env MEDPREP_MAX_BYTES, or 8 GiB. */
export function maxBytesGuard(options?: ReadOptions): number {
  if (options?.maxBytes !== undefined) return options.maxBytes;
  try {
    const env = Deno.env.get("MEDPREP_MAX_BYTES");
    if (env && Number(env) > 0) return Number(env);
  } catch { /* no env permission: default */ }
  return DEFAULT_MAX_BYTES;
}

function allocateVoxels(file: string, bytes: number, options?: ReadOptions): ArrayBuffer {
  const buffer = options?.allocate?.(bytes) ?? new ArrayBuffer(bytes);
  if (buffer.byteLength < bytes) {
    throw new RangeError(
      `Cannot read "${file}": allocate() gave ${buffer.byteLength} < ${bytes} bytes`,
    );
  }
  return buffer;
}

/**
 * The voxels of a gzip file held whole in memory, inflated in one call by libdeflate into a
 * buffer that also takes the `offset` bytes before them, which are then dropped by one move.
 * `done: false` leaves the streaming path to decode (and report on) the same bytes.
 */
function inflateWhole(
  d: NiftiDescription,
  stored: Uint8Array,
  offset: number,
  bytes: number,
  options?: ReadOptions,
): { done: boolean; buffer: ArrayBuffer } {
  const buffer = allocateVoxels(d.info.file, offset + bytes, options);
  const all = new Uint8Array(buffer, 0, offset + bytes);
  const warnings = gunzipWhole(stored, all);
  if (!warnings) return { done: false, buffer };
  all.copyWithin(0, offset);
  d.info.warnings.push(...warnings);
  if (!d.header.littleEndian) swapBytes(all.subarray(0, bytes), DTYPE_INFO[d.dtype!].bytes);
  return { done: true, buffer };
}

/**
 * Reads and describes the header from the start of `stream` (consumes header bytes only);
 * `consumed` is how many bytes were read.
 */
export function readHeaderFrom(
  stream: ByteStream,
  pair: boolean,
): { description: NiftiDescription; consumed: number } {
  const first = new Uint8Array(540);
  const got = stream.read(first.subarray(0, 348));
  if (got === 0) throw new NiftiError(stream.file, "empty file");
  if (got < 4) throw new NiftiError(stream.file, `truncated header: ${got} of 348 bytes`);
  let size = got;
  if (got === 348 && detectNiftiHeader(stream.file, first.subarray(0, 348)).version === 2) {
    size += stream.read(first.subarray(348, 540));
  }
  const header = parseNiftiHeader(stream.file, first.subarray(0, size));
  return {
    description: describeNifti(stream.file, header, { gzip: stream.gzip, pair }),
    consumed: size,
  };
}

function swapBytes(bytes: Uint8Array, width: number): void {
  if (width === 2) {
    const u = new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.length / 2);
    for (let i = 0; i < u.length; i++) u[i] = (u[i] >>> 8) | ((u[i] & 0xff) << 8);
  } else if (width === 4 || width === 8) {
    const u = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
    for (let i = 0; i < u.length; i++) {
      const x = u[i];
      u[i] = ((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24);
    }
    if (width === 8) {
      for (let i = 0; i < u.length; i += 2) [u[i], u[i + 1]] = [u[i + 1], u[i]];
    }
  }
}

/** Bytes decoded between two pauses of an incremental read. */
const SLICE = 8 << 20;

/**
 * Reads the voxel data described by `d` from `image` into a new ArrayBuffer
 * (native byte order). `image` is positioned after `consumed` bytes. A generator that
 * pauses (yields) after every 8 MiB so async callers can let the event loop run.
 * @throws NiftiError on unsupported types, extra dimensions, the memory guard, truncation
 */
export function* readVoxels(
  d: NiftiDescription,
  image: ByteStream,
  consumed: number,
  options?: ReadOptions,
): Generator<void, ArrayBuffer> {
  const file = d.info.file;
  if (!d.dtype) {
    throw new NiftiError(
      file,
      `unsupported datatype ${d.info.datatypeCode} (${d.info.dtypeName}); medprep reads ${"uint8, int8, int16, uint16, int32, uint32, int64, uint64, float32, float64"}`,
    );
  }
  if (d.extra > 1 && !options?.flattenExtraDims) {
    throw new NiftiError(
      file,
      `${d.info.fullShape.length}-D image (shape ${d.info.fullShape.join("x")}): ` +
        "more than one element beyond the 4th dimension is not supported",
    );
  }
  const width = DTYPE_INFO[d.dtype].bytes;
  const bytes = voxelByteCount(d.info)!;
  const guard = maxBytesGuard(options);
  if (!Number.isSafeInteger(bytes) || bytes > guard) {
    throw new NiftiError(
      file,
      `image of shape ${d.info.fullShape.join("x")} needs ${bytes} bytes, over the ${guard}-byte ` +
        "memory guard (set MEDPREP_MAX_BYTES to raise it)",
    );
  }
  const offset = d.info.voxOffset;
  if (!d.info.pair && offset < d.header.headerSize + 4) {
    throw new NiftiError(
      file,
      `vox_offset ${offset} lies inside the header (a single-file NIfTI-${d.header.version} ` +
        `needs at least ${d.header.headerSize + 4})`,
    );
  }
  const skip = offset - consumed;
  const img = image.file;
  if (!image.gzip && offset >= image.storedSize && bytes > 0) {
    throw new NiftiError(
      img,
      `vox_offset ${offset} is beyond the end of the file (${image.storedSize} bytes)`,
    );
  }
  const limit = image.gzip ? image.storedSize * MAX_DEFLATE_RATIO + 65536 : image.storedSize;
  if (offset + bytes > limit) {
    throw new NiftiError(
      img,
      `truncated data: the image needs ${offset + bytes} bytes but the file ` +
        (image.gzip
          ? `(${image.storedSize} bytes compressed) cannot hold them`
          : `has ${image.storedSize}`),
    );
  }
  const whole = image.whole && libdeflateActive() && skip >= 0
    ? inflateWhole(d, image.whole, offset, bytes, options)
    : undefined;
  if (whole?.done) return whole.buffer;
  if (image.skip(skip) < skip) {
    throw new NiftiError(img, `vox_offset ${offset} is beyond the end of the data`);
  }
  // After a whole-buffer inflate that did not succeed, its buffer (≥ bytes) is reused.
  const buffer = whole?.buffer ?? allocateVoxels(file, bytes, options);
  const view = new Uint8Array(buffer, 0, bytes);
  let got = 0;
  while (got < bytes) {
    const n = image.read(view.subarray(got, Math.min(bytes, got + SLICE)));
    got += n;
    if (n === 0) break;
    yield;
  }
  if (got < bytes) {
    throw new NiftiError(img, `truncated data: got ${got} of ${bytes} bytes of voxel data`);
  }
  d.info.warnings.push(...image.finish());
  if (!d.header.littleEndian) swapBytes(view, width);
  return buffer;
}
