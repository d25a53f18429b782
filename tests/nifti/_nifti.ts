/** Test helpers: NIfTI file bytes in any layout (version, byte order, pair) from a volume. */
import { buildNiftiHeader, voxelBytes } from "../../src/nifti/nifti_write.ts";
import type { NiftiHeader } from "../../src/nifti/nifti_header.ts";
import { encodeNiftiHeader } from "../../src/nifti/nifti_header_encode.ts";
import type { Volume } from "../../src/volume/volume.ts";

/** Layout options for niftiBytes. */
export interface LayoutOptions {
  version?: 1 | 2;
  bigEndian?: boolean;
  /** Header and image as separate byte arrays (magic ni1/ni2, vox_offset 0). */
  pair?: boolean;
  /** Edits the header fields before encoding. */
  mutate?: (h: NiftiHeader) => void;
}

/** Header (and image) bytes of `volume` in the requested layout. */
export function niftiBytes(
  volume: Volume,
  o: LayoutOptions = {},
): { hdr: Uint8Array; img?: Uint8Array } {
  const h = buildNiftiHeader(volume);
  const version = o.version ?? 1;
  h.version = version;
  h.headerSize = version === 1 ? 348 : 540;
  h.littleEndian = !o.bigEndian;
  h.magic = o.pair ? `ni${version}` : `n+${version}`;
  h.voxOffset = o.pair ? 0 : h.headerSize + 4;
  o.mutate?.(h);
  const header = encodeNiftiHeader(h);
  const data = voxelBytes(volume).slice();
  const w = volume.data.BYTES_PER_ELEMENT;
  if (o.bigEndian && w > 1) {
    for (let i = 0; i < data.length; i += w) data.subarray(i, i + w).reverse();
  }
  if (o.pair) return { hdr: header.subarray(0, h.headerSize), img: data };
  const out = new Uint8Array(header.length + data.length);
  out.set(header);
  out.set(data, header.length);
  return { hdr: out };
}

/** A fresh temporary directory (removed by the caller via `Deno.removeSync(dir, { recursive: true })`). */
export function tempDir(): string {
  return Deno.makeTempDirSync({ prefix: "medprep-io-test-" });
}
