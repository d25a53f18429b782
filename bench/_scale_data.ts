/**
 * Generated inputs of `bench scale` (parts a, b, d): CT-like int16 volumes — air around an
 * elliptic body with a bone rim and ±20 HU deterministic noise (as bench/_phantom.ts, any shape)
 * — each written once (atomically, so an interrupted generation leaves no half file) and reused.
 * Permissions: --allow-read, --allow-write (bench/.data).
 */
import { writeNiftiSync } from "../src/nifti/nifti_write.ts";
import { createVolume } from "../src/volume/volume.ts";

/** The benchmarks' data folder (a link to shared data in a worktree). */
export const DATA_ROOT = new URL("./.data/", import.meta.url).pathname;

/** A CT-like int16 volume of `shape` and voxel `spacing` (mm); `seed` varies the noise. */
export function ctLike(
  shape: readonly [number, number, number],
  spacing: readonly [number, number, number],
  seed: number,
) {
  const [nx, ny, nz] = shape;
  const data = new Int16Array(nx * ny * nz);
  let s = (seed * 2654435761 + 7) & 0x7fffffff, n = 0;
  for (let k = 0; k < nz; k++) {
    const z = (k - nz / 2) / (nz * 0.45);
    for (let j = 0; j < ny; j++) {
      const y = (j - ny / 2) / (ny * 0.32);
      for (let i = 0; i < nx; i++) {
        const x = (i - nx / 2) / (nx * 0.45);
        const r = x * x + y * y + 0.3 * z * z;
        let v = -1000;
        if (r < 1) {
          v = r > 0.85 ? 700 : 40;
          const lx = Math.abs(x) - 0.45;
          if ((lx * lx) / 0.08 + (y * y) / 0.4 < 1) v = -820;
        }
        s = (s * 1103515245 + 12345) & 0x7fffffff;
        data[n++] = v + ((s >> 16) % 41) - 20;
      }
    }
  }
  const [sx, sy, sz] = spacing;
  const affine = [[sx, 0, 0, 0], [0, sy, 0, 0], [0, 0, sz, 0], [0, 0, 0, 1]];
  return createVolume({ shape, data, affine });
}

/**
 * Writes a CT-like volume to `path` unless a file is there already (gzip iff `.gz`, level 6
 * as scanners' exports commonly are); returns whether it was generated now.
 */
export function ensureCtLike(
  path: string,
  shape: readonly [number, number, number],
  spacing: readonly [number, number, number],
  seed: number,
): boolean {
  try {
    Deno.statSync(path);
    return false;
  } catch { /* generate */ }
  Deno.mkdirSync(path.slice(0, path.lastIndexOf("/")), { recursive: true });
  writeNiftiSync(path, ctLike(shape, spacing, seed), { level: 6 }); // temp + rename
  return true;
}

/** The load average now (1 min), for the printed context. */
export const loadNow = (): string => Deno.loadavg()[0].toFixed(2);
