/**
 * Reading NIfTI-1/-2 files (`.nii`, `.nii.gz`, `.hdr`/`.img` pairs) exactly as nibabel
 * does (SPEC §1). Voxels stay in their storage type; slope/inter ride on the Volume.
 * Gzip is detected by magic bytes, not by extension. Where nibabel would return garbage or
 * crash, medprep refuses with one line naming the file instead: a single file whose
 * vox_offset lies inside the header (nibabel reads header bytes as voxels when it is 0),
 * dim[0] outside 1–7 (nibabel silently truncates), a dimension ≤ 0 (nibabel: empty array),
 * a non-finite affine, an invalid qform quaternion (only when the qform is used). A
 * non-finite scl_inter with a valid slope becomes 0 (SPEC §1; nibabel raises).
 * Permissions: --allow-read (and --allow-env for MEDPREP_MAX_BYTES, optional).
 */
import { setImmediate } from "node:timers";
import { NiftiError } from "../errors.ts";
import type { Affine } from "../volume/affine.ts";
import {
  type ByteStream,
  type FileDigest,
  type HashingByteStream,
  memoryByteStream,
  openByteStream,
  openHashingByteStream,
  readWholeGzip,
} from "./byte_stream.ts";
import { maxBytesGuard, readHeaderFrom, type ReadOptions, readVoxels } from "./nifti_decode.ts";
import { libdeflateActive } from "./libdeflate.ts";
import type { NiftiHeader } from "./nifti_header.ts";
import type { NiftiDescription, NiftiInfo } from "./nifti_info.ts";
import { type NiftiPaths, resolveNiftiPaths } from "./nifti_paths.ts";
import { imageFromParts, type NiftiImage } from "./nifti_image.ts";

export type { NiftiImage } from "./nifti_image.ts";

export type { NiftiInfo } from "./nifti_info.ts";
export type { ReadOptions } from "./nifti_decode.ts";
export type { FileDigest } from "./byte_stream.ts";

/** Header-only result of readNiftiHeader. */
export interface NiftiHeaderInfo {
  /** What the header says about the file. */
  info: NiftiInfo;
  /** Spatial size [nx, ny, nz]. */
  shape: [number, number, number];
  /** 3D volumes in the file (the 4th dimension and beyond). */
  frames: number;
  /** Voxel (i, j, k) → world RAS+ mm, by nibabel's rule. */
  affine: Affine;
}

/** Opens the file(s) behind `path`, reads the header, then hands over to `body`. */
function* withStreams<T>(
  path: string,
  body: (d: NiftiDescription, image: ByteStream, consumed: number) => Generator<void, T>,
  paths: NiftiPaths = resolveNiftiPaths(path),
  open: (file: string) => ByteStream = openByteStream,
): Generator<void, T> {
  const hs = open(paths.header);
  try {
    const { description: d, consumed } = readHeaderFrom(hs, paths.pair);
    d.info.file = path;
    if (!paths.pair) return yield* body(d, hs, consumed);
    d.info.warnings.push(...hs.finish());
    const is = open(paths.image);
    try {
      d.info.gzip = hs.gzip || is.gzip;
      return yield* body(d, is, 0);
    } finally {
      is.close();
    }
  } finally {
    hs.close();
  }
}

function runSync<T>(steps: Generator<void, T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

async function runAsync<T>(steps: Generator<void, T>): Promise<T> {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function describeOnly(d: NiftiDescription): NiftiHeaderInfo {
  return { info: d.info, shape: d.shape, frames: d.frames, affine: d.affine };
}

/**
 * Reads only the header (and locates a pair's image file): enough for planning and for
 * inspecting unsupported types.
 * @throws NiftiError naming the file on any problem
 */
export function readNiftiHeaderSync(path: string): NiftiHeaderInfo {
  // deno-lint-ignore require-yield
  return runSync(withStreams(path, function* (d) {
    return describeOnly(d);
  }));
}

/**
 * The header fields as stored (`medprep restore` writes another file with the same geometry
 * fields). Not part of the library surface.
 * @throws NiftiError naming the file on any problem
 */
export function readNiftiHeaderFieldsSync(path: string): NiftiHeader {
  // deno-lint-ignore require-yield
  return runSync(withStreams(path, function* (d) {
    return d.header;
  }));
}

/** Async form of readNiftiHeaderSync (headers are small: read on the calling thread). */
export function readNiftiHeader(path: string): Promise<NiftiHeaderInfo> {
  return Promise.resolve().then(() => readNiftiHeaderSync(path));
}

/**
 * Reads a file synchronously (for code already inside a worker).
 * @throws NiftiError naming the file on any problem
 */
export function readNiftiSync(path: string, options?: ReadOptions): NiftiImage {
  const { description, buffer } = readNiftiParts(path, options);
  return imageFromParts(description, buffer);
}

/** Options of readNiftiHashedSync. */
export interface HashedReadOptions extends ReadOptions {
  /**
   * The other half of a `.hdr`/`.img` pair, already resolved by the caller (it is never looked
   * up again); default: resolved from `path`.
   */
  pairedWith?: string;
}

/** A hashed read's header description, voxel buffer and digests (what a thread transfers). */
export interface HashedParts {
  description: NiftiDescription;
  buffer: ArrayBuffer;
  files: FileDigest[];
}

/**
 * Reads a file synchronously and hashes the very bytes it decodes (one read; a file replaced
 * meanwhile cannot pair its hash with the old data): one digest per file, the header file
 * first for a pair.
 * @throws NiftiError naming the file on any problem
 */
export function readNiftiHashedSync(
  path: string,
  options?: HashedReadOptions,
): { image: NiftiImage; files: FileDigest[] } {
  const { description, buffer, files } = readNiftiHashedPartsSync(path, options);
  return { image: imageFromParts(description, buffer), files };
}

/**
 * readNiftiHashedSync's parts before they become an image: plain data and one buffer, so the
 * read can be moved to another thread (the runner's first subject: runner/first_buffers.ts).
 * @throws NiftiError naming the file on any problem
 */
export function readNiftiHashedPartsSync(
  path: string,
  options?: HashedReadOptions,
): HashedParts {
  const paths = options?.pairedWith === undefined
    ? resolveNiftiPaths(path)
    : /\.hdr(\.gz)?$/i.test(path)
    ? { header: path, image: options.pairedWith, pair: true }
    : { header: options.pairedWith, image: path, pair: true };
  const whole = wholeGzip(path, paths, options);
  if (whole) {
    try {
      const { description, buffer } = runSync(readPartsSteps(path, options, paths, whole.stream));
      return { description, buffer, files: [whole.file.digest()] };
    } finally {
      whole.file.release();
    }
  }
  const streams: HashingByteStream[] = [];
  const open = (file: string) => {
    const s = openHashingByteStream(file);
    streams.push(s);
    return s;
  };
  return runSync(withStreams(
    path,
    function* (d, image, consumed) {
      const buffer = yield* readVoxels(d, image, consumed, options);
      // Before the files close: the rest of each file (trailing bytes) is hashed, not decoded.
      return { description: d, buffer, files: streams.map((s) => s.digest()) };
    },
    paths,
    open,
  ));
}

/** The header description and the voxel buffer of a file (what a worker transfers). */
export function readNiftiParts(
  path: string,
  options?: ReadOptions,
): { description: NiftiDescription; buffer: ArrayBuffer } {
  const paths = resolveNiftiPaths(path);
  const whole = wholeGzip(path, paths, options);
  try {
    return runSync(readPartsSteps(path, options, paths, whole?.stream));
  } finally {
    whole?.file.release();
  }
}

function readPartsSteps(
  path: string,
  options?: ReadOptions,
  paths?: NiftiPaths,
  open?: (file: string) => ByteStream,
) {
  return withStreams(
    path,
    function* (description, image, consumed) {
      const buffer = yield* readVoxels(description, image, consumed, options);
      return { description, buffer };
    },
    paths,
    open,
  );
}

/**
 * A single gzip file read whole into memory when libdeflate is in use on this thread (it
 * inflates whole buffers only), else null: the file is streamed through node:zlib.
 */
function wholeGzip(path: string, paths: NiftiPaths, options?: ReadOptions) {
  if (paths.pair || !libdeflateActive()) return null;
  const file = readWholeGzip(path, maxBytesGuard(options), options?.allocate);
  return file && { file, stream: () => memoryByteStream(path, file.bytes) };
}

/**
 * Decodes a NIfTI image from bytes in memory (gzipped or not); `imgBytes` is the image
 * half of a pair. Pure: no file access.
 * @throws NiftiError naming `file`
 */
export function decodeNifti(
  file: string,
  bytes: Uint8Array,
  imgBytes?: Uint8Array,
  options?: ReadOptions,
): NiftiImage {
  const hs = memoryByteStream(file, bytes);
  const { description: d, consumed } = readHeaderFrom(hs, imgBytes !== undefined);
  if (imgBytes === undefined) {
    return imageFromParts(d, runSync(readVoxels(d, hs, consumed, options)));
  }
  d.info.warnings.push(...hs.finish());
  const is = memoryByteStream(file, imgBytes);
  d.info.gzip = hs.gzip || is.gzip;
  return imageFromParts(d, runSync(readVoxels(d, is, 0, options)));
}

/**
 * Reads a file without blocking the event loop for long: voxels are decompressed straight
 * into their final buffer in 8 MiB slices, yielding to the event loop between slices
 * (measured: a worker thread costs ~17 MB more peak RSS and is no faster; see
 * `readNiftiInWorker` for callers that need the decoding off this thread entirely).
 * @throws NiftiError naming the file on any problem
 */
export async function readNifti(path: string, options?: ReadOptions): Promise<NiftiImage> {
  const { description, buffer } = await runAsync(readPartsSteps(path, options));
  return imageFromParts(description, buffer);
}

/**
 * Reads a file in a short-lived worker thread; the voxel buffer is transferred back.
 * @throws NiftiError naming the file on any problem
 */
export async function readNiftiInWorker(path: string, options?: ReadOptions): Promise<NiftiImage> {
  const { readInWorker } = await import("./nifti_worker_client.ts");
  return await readInWorker(path, options);
}

export { NiftiError };
