/**
 * Writing NIfTI-1 single files (SPEC §2): little-endian, vox_offset 352, no extensions,
 * qform (closest rotation, as nibabel's set_qform; code 0 for a sheared affine, which no qform
 * can hold) + sform (full affine), deterministic gzip,
 * atomic temp-file-then-rename. Unscaled volumes get scl_slope 1 / scl_inter 0 (not NaN):
 * every reader agrees that means "no scaling".
 * Permissions: --allow-read --allow-write on the target directory.
 */
import { createHash } from "node:crypto";
import { dirname, join } from "node:path";
import { setImmediate } from "node:timers";
import { isSheared } from "../volume/affine.ts";
import { DTYPE_INFO } from "../volume/dtype.ts";
import { deriveQformParams } from "../volume/quaternion.ts";
import type { Volume } from "../volume/volume.ts";
import { VERSION } from "../version.ts";
import { GzipWriter } from "./gzip_writer.ts";
import type { NiftiHeader } from "./nifti_header.ts";
import { encodeNiftiHeader } from "./nifti_header_encode.ts";

/** Options of every NIfTI write. */
export interface WriteOptions {
  /** Gzip level 0–9 for `.gz` paths (default 6). */
  level?: number;
  /** descrip field (default "medprep <version>"). */
  descrip?: string;
  /** Permission bits of the new file (before the umask; default 0o666). */
  mode?: number;
}

/** What was written: the sha256 and size of the file's bytes, hashed as they were written. */
export interface WrittenFile {
  /** Hex sha256 of the bytes written. */
  sha256: string;
  /** Bytes written. */
  size: number;
}

const HOST_LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The NIfTI-1 header medprep writes for `volume`. */
export function buildNiftiHeader(volume: Volume, options?: { descrip?: string }): NiftiHeader {
  const a = volume.affine;
  if (!a.slice(0, 3).every((row) => row.every(Number.isFinite))) {
    throw new RangeError("Cannot write volume: affine has non-finite entries");
  }
  const big = [...volume.shape, volume.frames].find((d) => d > 32767);
  if (big !== undefined) {
    throw new RangeError(`Cannot write volume: dimension ${big} exceeds NIfTI-1's limit of 32767`);
  }
  const m = volume.meta;
  const q = deriveQformParams(a);
  const four = volume.frames > 1;
  const info = DTYPE_INFO[volume.dtype];
  const units = (m.xyztUnits & 0x07) === 0 ? (m.xyztUnits & 0xf8) | 2 : m.xyztUnits;
  return {
    version: 1,
    littleEndian: true,
    headerSize: 348,
    magic: "n+1",
    dimInfo: 0,
    dim: [four ? 4 : 3, ...volume.shape, four ? volume.frames : 1, 1, 1, 1],
    intentP: [...m.intentP],
    intentCode: Math.abs(m.intentCode) <= 32767 ? m.intentCode : 0, // NIfTI-1 stores int16
    datatype: info.niftiCode,
    bitpix: info.bytes * 8,
    sliceStart: 0,
    pixdim: [q.qfac, ...q.zooms, four ? m.timeStep : 1, 1, 1, 1],
    voxOffset: 352,
    sclSlope: volume.slope,
    sclInter: volume.inter,
    sliceEnd: 0,
    sliceCode: 0,
    xyztUnits: units,
    calMax: m.calMax,
    calMin: m.calMin,
    sliceDuration: 0,
    toffset: 0,
    descrip: options?.descrip ?? `medprep ${VERSION}`,
    auxFile: "",
    // A rigid approximation of a sheared affine would be read by ITK/ANTs as another geometry.
    qformCode: isSheared(a) ? 0 : m.qformCode > 0 ? m.qformCode : 2,
    sformCode: m.sformCode > 0 ? m.sformCode : 2,
    quatern: q.quatern,
    qoffset: q.qoffset,
    srow: [[...a[0]], [...a[1]], [...a[2]]],
    intentName: m.intentName,
  };
}

/**
 * The provenance warning for an output whose affine is sheared (written with qform_code 0,
 * SPEC §2), or undefined when the affine has an exact qform.
 */
export function shearWarning(path: string, volume: Volume): string | undefined {
  if (!isSheared(volume.affine)) return undefined;
  return `${path}: sheared affine written with qform_code 0 (sform only); ITK, SimpleITK and ANTs refuse such a file rather than misplace it`;
}

/** The voxel bytes in little-endian order (a view when the host is little-endian). */
export function voxelBytes(volume: Volume): Uint8Array {
  const d = volume.data;
  const view = new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
  if (HOST_LE || d.BYTES_PER_ELEMENT === 1) return view;
  const copy = view.slice();
  const w = d.BYTES_PER_ELEMENT;
  for (let i = 0; i < copy.length; i += w) copy.subarray(i, i + w).reverse();
  return copy;
}

/** The uncompressed `.nii` bytes of `volume`. */
export function encodeNifti(volume: Volume, options?: { descrip?: string }): Uint8Array {
  const header = encodeNiftiHeader(buildNiftiHeader(volume, options));
  const data = voxelBytes(volume);
  const out = new Uint8Array(header.length + data.length);
  out.set(header);
  out.set(data, header.length);
  return out;
}

function tempPath(path: string): string {
  const rand = crypto.getRandomValues(new Uint32Array(2));
  return join(dirname(path), `.medprep-tmp-${rand[0].toString(36)}${rand[1].toString(36)}`);
}

function failure(path: string, e: unknown): Error {
  const reason = e instanceof Error ? e.message.split("\n")[0] : String(e);
  return new Error(`Cannot write "${path}": ${reason}`, { cause: e });
}

const CHUNK = 4 << 20;

/** Writes the file body chunk by chunk through `put`, yielding via `pause` between chunks. */
function* chunks(
  volume: Volume,
  options?: WriteOptions,
  g?: NiftiHeader,
): Generator<Uint8Array> {
  const header = buildNiftiHeader(volume, options);
  yield encodeNiftiHeader(
    g
      ? {
        ...header,
        qformCode: g.qformCode,
        sformCode: g.sformCode,
        quatern: [...g.quatern],
        qoffset: [...g.qoffset],
        srow: g.srow.map((r) => [...r]),
        pixdim: [g.pixdim[0], g.pixdim[1], g.pixdim[2], g.pixdim[3], ...header.pixdim.slice(4)],
      } as typeof header
      : header,
  );
  const data = voxelBytes(volume);
  for (let o = 0; o < data.length; o += CHUNK) yield data.subarray(o, o + CHUNK);
}

function openSink(path: string, level: number | undefined, mode: number | undefined) {
  const tmp = tempPath(path);
  const f = Deno.openSync(tmp, { write: true, createNew: true, mode });
  const hash = createHash("sha256");
  let size = 0;
  const put = (b: Uint8Array) => {
    for (let o = 0; o < b.length;) o += f.writeSync(b.subarray(o));
    hash.update(b);
    size += b.length;
  };
  let gz: GzipWriter | null = null;
  try {
    if (path.toLowerCase().endsWith(".gz")) gz = new GzipWriter(put, level ?? 6);
  } catch (e) {
    f.close();
    Deno.removeSync(tmp);
    throw e;
  }
  return {
    tmp,
    write: (b: Uint8Array) => (gz ? gz.write(b) : put(b)),
    commit(): WrittenFile {
      gz?.finish();
      f.close();
      Deno.renameSync(tmp, path);
      return { sha256: hash.digest("hex"), size };
    },
    abort() {
      try {
        f.close();
      } catch { /* already closed */ }
      try {
        Deno.removeSync(tmp);
      } catch { /* never created */ }
    },
  };
}

/**
 * Writes `volume` to `path` (gzip iff it ends in `.gz`) atomically, synchronously; returns the
 * sha256 and size of the bytes written.
 * @throws Error `Cannot write "<path>": <reason>`; no file is left under `path` or the temp name
 */
export function writeNiftiSync(
  path: string,
  volume: Volume,
  options?: WriteOptions,
): WrittenFile {
  return writeSync(path, volume, options);
}

/**
 * Like writeNiftiSync, with the geometry fields (qform/sform codes, quaternion, offsets, srow,
 * pixdim[0..3]) of `geometryFrom`, the header of a file on the same grid, written as they are
 * (`medprep restore`: the original input's header geometry, bit for bit). The caller makes
 * sure it describes the volume's grid. Not part of the library surface.
 */
export function writeNiftiWithGeometrySync(
  path: string,
  volume: Volume,
  geometryFrom: NiftiHeader,
  options?: WriteOptions,
): WrittenFile {
  return writeSync(path, volume, options, geometryFrom);
}

function writeSync(
  path: string,
  volume: Volume,
  options?: WriteOptions,
  geometryFrom?: NiftiHeader,
): WrittenFile {
  let sink: ReturnType<typeof openSink> | null = null;
  try {
    sink = openSink(path, options?.level, options?.mode);
    for (const c of chunks(volume, options, geometryFrom)) sink.write(c);
    return sink.commit();
  } catch (e) {
    sink?.abort();
    throw failure(path, e);
  }
}

/**
 * Like writeNiftiSync, but compresses in 4 MiB slices and yields to the event loop between
 * them, so timers and signals keep running (the voxels are never copied or transferred).
 */
export async function writeNifti(
  path: string,
  volume: Volume,
  options?: WriteOptions,
): Promise<WrittenFile> {
  let sink: ReturnType<typeof openSink> | null = null;
  try {
    sink = openSink(path, options?.level, options?.mode);
    for (const c of chunks(volume, options)) {
      sink.write(c);
      await new Promise((r) => setImmediate(r));
    }
    return sink.commit();
  } catch (e) {
    sink?.abort();
    throw failure(path, e);
  }
}
