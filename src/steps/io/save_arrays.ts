/**
 * `save` in the NumPy formats: each role's encoded values (SPEC §2 dtype rule) as a C-order
 * array in a layout (volume/layout.ts: channels-first (C, X, Y, Z) or channels-last
 * (X, Y, Z, C), C = 1 for a 3D volume), one `.npy` per role or one `.npz` with an array per
 * role, and a JSON sidecar with what the array alone cannot say: affine, spacing, orientation,
 * the original (input) shape, the provenance subject key, the layout and the array names.
 */
import { encodeNpy } from "../../npy/npy.ts";
import { encodeZip } from "../../npy/zip.ts";
import { deriveOrientation } from "../../volume/affine.ts";
import type { DType } from "../../volume/dtype.ts";
import { type Layout, layoutShape, toLayout } from "../../volume/layout.ts";
import { createVolume, deriveSpacing, type Volume } from "../../volume/volume.ts";
import type { EncodedVolume, Item, SinkFile, SinkIo, SinkOutput, Subject } from "../step.ts";

/** What the NumPy writer takes from `save`'s params. */
export interface ArrayParams {
  dtype: string;
  rounding: string;
  compression: number;
  layout: Layout;
}

/** One role's array as it is stored, and what its sidecar says about it. */
interface StoredArray {
  item: Item;
  encoded: EncodedVolume;
  volume: Volume;
}

/**
 * The encoded volume with its values as stored: NumPy has no scaling, so an encoding with
 * slope/inter (the input's, SPEC §2 `auto`/`keep`) becomes its values, raw × slope + inter in
 * float64 — what nibabel's get_fdata() gives for the NIfTI output, exactly — with the reason
 * recorded; float32 with scaling too (its float32 would round twice). Explicit types hold real
 * values already (no scaling).
 */
function unscaled(encoded: EncodedVolume): EncodedVolume {
  const v = encoded.volume;
  if (v.slope === 1 && v.inter === 0) return encoded;
  const data = new Float64Array(v.data.length);
  for (let i = 0; i < data.length; i++) data[i] = Number(v.data[i]) * v.slope + v.inter;
  const dtype: DType = "float64";
  return {
    ...encoded,
    volume: {
      ...createVolume({ shape: v.shape, frames: v.frames, data, affine: v.affine }),
      meta: v.meta,
    },
    dtype,
    reason: `${dtype}: ${encoded.reason}, stored as values (NumPy has no slope/inter)`,
  };
}

/** The sidecar of one file: geometry of its first array, then each array's own. */
function sidecarText(
  subject: Subject,
  file: { format: "npy" | "npz"; path: string; layout: Layout },
  arrays: StoredArray[],
): string {
  const geometry = (v: Volume) => ({
    affine: v.affine.map((row) => [...row]),
    spacing: deriveSpacing(v),
    orientation: deriveOrientation(v.affine),
    spatialShape: [...v.shape],
  });
  const first = arrays[0].volume;
  const sidecar = {
    format: file.format,
    file: file.path.slice(file.path.lastIndexOf("/") + 1),
    layout: file.layout,
    axes: file.layout === "channels-first" ? ["c", "x", "y", "z"] : ["x", "y", "z", "c"],
    provenance: { subject: subject.id, copy: subject.copy },
    ...geometry(first),
    originalShape: arrays[0].item.inputShape ? [...arrays[0].item.inputShape] : null,
    arrays: arrays.map(({ item, encoded, volume }) => ({
      name: item.role,
      role: item.role,
      label: item.label,
      dtype: encoded.dtype,
      shape: layoutShape(volume, file.layout),
      channels: volume.frames,
      ...geometry(volume),
      originalShape: item.inputShape ? [...item.inputShape] : null,
      source: item.sourcePath.slice(item.sourcePath.lastIndexOf("/") + 1),
    })),
  };
  return JSON.stringify(sidecar, null, 2) + "\n";
}

function npyOf(array: StoredArray, layout: Layout): Uint8Array {
  return encodeNpy({
    dtype: array.encoded.dtype as DType,
    shape: layoutShape(array.volume, layout),
    data: toLayout(array.volume, layout),
  });
}

function output(
  subject: Subject,
  file: SinkFile,
  arrays: StoredArray[],
): SinkOutput {
  const one = arrays.length === 1 && file.role === arrays[0].item.role;
  return {
    role: file.role,
    copy: subject.copy,
    path: file.path,
    dtype: arrays.map((a) => a.encoded.dtype).join("+"),
    dtypeReason: one
      ? arrays[0].encoded.reason
      : arrays.map((a) => `${a.item.role}: ${a.encoded.reason}`).join("; "),
    clamped: arrays.reduce((n, a) => n + a.encoded.clamped, 0),
    warnings: arrays.flatMap((a) =>
      a.encoded.warnings ??
        (a.encoded.clamped > 0
          ? [`${a.encoded.clamped} voxels clamped into the range of ${a.encoded.dtype}`]
          : [])
    ),
    ...(one ? {} : { arrays: arrays.map((a) => a.item.role) }),
  };
}

function sidecarOutput(subject: Subject, file: SinkFile): SinkOutput {
  return {
    role: file.role,
    copy: subject.copy,
    path: file.path,
    dtype: "json",
    dtypeReason: `sidecar of ${file.sidecarOf}`,
    clamped: 0,
    sidecarOf: file.sidecarOf,
  };
}

/**
 * Writes a subject as `.npy` files (one per role) or one `.npz`, each with its sidecar, to the
 * files `saveFiles` named (data file, then sidecar).
 */
export function writeArrays(
  subject: Subject,
  params: ArrayParams & { format: "npy" | "npz" },
  files: readonly SinkFile[],
  io: SinkIo,
): SinkOutput[] {
  const { layout, format } = params;
  const store = (item: Item): StoredArray => {
    const encoded = unscaled(io.encode(item, params.dtype, params.rounding));
    return { item, encoded, volume: encoded.volume };
  };
  const outputs: SinkOutput[] = [];
  const writeSidecar = (file: SinkFile, arrays: StoredArray[]) => {
    const text = sidecarText(subject, { format, path: file.sidecarOf!, layout }, arrays);
    io.writeBytes(file.path, new TextEncoder().encode(text));
    outputs.push(sidecarOutput(subject, file));
  };
  if (format === "npz") {
    const [data, sidecar] = files;
    const arrays = subject.items.map(store);
    const members = arrays.map((a) => ({ name: `${a.item.role}.npy`, bytes: npyOf(a, layout) }));
    io.writeBytes(data.path, encodeZip(members, { level: params.compression }));
    outputs.push(output(subject, data, arrays));
    writeSidecar(sidecar, arrays);
    return outputs;
  }
  subject.items.forEach((item, n) => {
    const [data, sidecar] = [files[2 * n], files[2 * n + 1]];
    const array = store(item);
    io.writeBytes(data.path, npyOf(array, layout));
    outputs.push(output(subject, data, [array]));
    writeSidecar(sidecar, [array]);
  });
  return outputs;
}
