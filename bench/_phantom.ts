/**
 * The benchmarks' large CT: a 512×512×300 int16 phantom (air, an elliptic body with lungs and a
 * bone rim, ±20 HU deterministic noise; 0.7 × 0.7 × 1.25 mm, LPS-flipped like a scanner's),
 * written once as .nii.gz under bench/.data/ and shared by `bench io` and `bench resample`.
 * Permissions: --allow-read, --allow-write (bench/.data).
 */
import { writeNifti } from "../src/nifti/nifti_write.ts";
import { createVolume } from "../src/volume/volume.ts";

export const CT_SHAPE: [number, number, number] = [512, 512, 300];
export const CT_SPACING: [number, number, number] = [0.7, 0.7, 1.25];
/** Raw voxel bytes of the CT (int16). */
export const CT_RAW_BYTES = CT_SHAPE[0] * CT_SHAPE[1] * CT_SHAPE[2] * 2;
const DATA_DIR = new URL("./.data/", import.meta.url).pathname;
/** Path of the cached CT. */
export const CT_PATH = `${DATA_DIR}ct_512x512x300_int16.nii.gz`;

/** Writes the CT unless it is cached already; returns its path. */
export async function ensureCtPhantom(): Promise<string> {
  try {
    Deno.statSync(CT_PATH);
    return CT_PATH;
  } catch { /* generate */ }
  Deno.mkdirSync(DATA_DIR, { recursive: true });
  const [nx, ny, nz] = CT_SHAPE;
  const data = new Int16Array(nx * ny * nz);
  let seed = 7, n = 0;
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        const x = (i - nx / 2) / 230, y = (j - ny / 2) / 160, z = (k - nz / 2) / 170;
        const r = x * x + y * y + 0.3 * z * z;
        let v = -1000;
        if (r < 1) {
          v = r > 0.85 ? 700 : 40;
          const lx = Math.abs(x) - 0.45;
          if ((lx * lx) / 0.08 + (y * y) / 0.4 < 1) v = -820;
        }
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        data[n++] = v + ((seed >> 16) % 41) - 20;
      }
    }
  }
  const [sx, sy, sz] = CT_SPACING;
  const affine = [[-sx, 0, 0, 180], [0, -sy, 0, 180], [0, 0, sz, -180], [0, 0, 0, 1]];
  await writeNifti(CT_PATH, createVolume({ shape: CT_SHAPE, data, affine }), { level: 6 });
  return CT_PATH;
}
