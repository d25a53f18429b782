/**
 * Reading NIfTI-1/-2 files (`.nii`, `.nii.gz`, `.hdr`/`.img` pairs) exactly as nibabel
 * does (SPEC §1). Voxels stay in their storage type; slope/inter ride on the Volume.
 * Permissions: --allow-read (and --allow-env for MEDPREP_MAX_BYTES, optional).
 */
import { NiftiError } from "../errors.ts";
import type { Affine } from "../volume/affine.ts";
import { viewVoxelArray } from "../volume/dtype.ts";
import { createVolume, type Volume } from "../volume/volume.ts";
import { type ByteStream, memoryByteStream, openByteStream } from "./byte_stream.ts";
import { readHeaderFrom, type ReadOptions, readVoxels } from "./nifti_decode.ts";
import type { NiftiDescription, NiftiInfo } from "./nifti_info.ts";
import { resolveNiftiPaths } from "./nifti_paths.ts";

export type { NiftiInfo } from "./nifti_info.ts";
export type { ReadOptions } from "./nifti_decode.ts";

/** A volume read from a file, with what the file said about it. */
export interface NiftiImage {
  volume: Volume;
  info: NiftiInfo;
}

/** Header-only result of readNiftiHeader. */
export interface NiftiHeaderInfo {
  info: NiftiInfo;
  shape: [number, number, number];
  frames: number;
  affine: Affine;
}

function toImage(d: NiftiDescription, buffer: ArrayBuffer): NiftiImage {
  const frames = d.frames * d.extra;
  const volume = createVolume({
    shape: d.shape,
    frames,
    data: viewVoxelArray(d.dtype!, buffer),
    affine: d.affine,
    slope: d.info.sclSlope,
    inter: d.info.sclInter,
    meta: d.meta,
  });
  return { volume, info: d.info };
}

function withStreams<T>(
  path: string,
  open: (p: string) => ByteStream,
  body: (d: NiftiDescription, image: ByteStream, consumed: number) => T,
): T {
  const paths = resolveNiftiPaths(path);
  const hs = open(paths.header);
  try {
    const d = readHeaderFrom(hs, paths.pair);
    d.info.file = path;
    if (!paths.pair) return body(d, hs, d.header.headerSize);
    d.info.warnings.push(...hs.finish());
    const is = open(paths.image);
    try {
      d.info.gzip = hs.gzip || is.gzip;
      return body(d, is, 0);
    } finally {
      is.close();
    }
  } finally {
    hs.close();
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
  return withStreams(path, openByteStream, describeOnly);
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
  return toImage(description, buffer);
}

/** The header description and the voxel buffer of a file (what a worker transfers). */
export function readNiftiParts(
  path: string,
  options?: ReadOptions,
): { description: NiftiDescription; buffer: ArrayBuffer } {
  return withStreams(path, openByteStream, (description, image, consumed) => ({
    description,
    buffer: readVoxels(description, image, consumed, options),
  }));
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
  const d = readHeaderFrom(hs, imgBytes !== undefined);
  if (imgBytes === undefined) {
    return toImage(d, readVoxels(d, hs, d.header.headerSize, options));
  }
  d.info.warnings.push(...hs.finish());
  const is = memoryByteStream(file, imgBytes);
  d.info.gzip = hs.gzip || is.gzip;
  return toImage(d, readVoxels(d, is, 0, options));
}

/** Files at least this big (on disk) are decompressed in a worker by readNifti. */
const WORKER_THRESHOLD = 4 << 20;

/**
 * Reads a file without blocking the event loop for long: big files are read and
 * decompressed in a worker and the voxel buffer is transferred back (never copied).
 * @throws NiftiError naming the file on any problem
 */
export async function readNifti(path: string, options?: ReadOptions): Promise<NiftiImage> {
  let size = 0;
  try {
    size = Deno.statSync(path).size;
  } catch { /* reported by the sync reader */ }
  if (size < WORKER_THRESHOLD) return readNiftiSync(path, options);
  const { readInWorker } = await import("./nifti_worker_client.ts");
  return await readInWorker(path, options);
}

/** Rebuilds a NiftiImage from a worker's answer (the buffer was transferred). */
export function imageFromParts(d: NiftiDescription, buffer: ArrayBuffer): NiftiImage {
  return toImage(d, buffer);
}

export { NiftiError };
