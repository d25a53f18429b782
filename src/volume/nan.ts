/**
 * NaN voxels (SPEC §3): counting them, replacing them (`load: { nan: zero }`) and the
 * policy of `load` — keep, zero or error.
 */
import { isIntegerDType } from "./dtype.ts";
import type { Volume } from "./volume.ts";

/** What `load` does with NaN voxels (its `nan` param). */
export type NanPolicy = "keep" | "zero" | "error";

/** The `nan` modes of `load`, default first. */
export const NAN_POLICIES = ["keep", "zero", "error"] as const satisfies readonly NanPolicy[];

/** Number of NaN voxels (every frame); 0 at once for integer storage, which has none. */
export function countNaN(volume: Volume): number {
  if (isIntegerDType(volume.dtype)) return 0;
  const d = volume.data as Float32Array | Float64Array;
  let n = 0;
  for (let i = 0; i < d.length; i++) if (d[i] !== d[i]) n++;
  return n;
}

/**
 * Replaces every NaN voxel by the real value 0, in place (meant for a volume just read, which
 * nothing else holds); returns how many were replaced.
 */
export function replaceNaN(volume: Volume): number {
  if (isIntegerDType(volume.dtype)) return 0;
  const d = volume.data as Float32Array | Float64Array;
  const zero = -volume.inter / volume.slope; // raw value whose real value is 0
  let n = 0;
  for (let i = 0; i < d.length; i++) {
    if (d[i] !== d[i]) {
      d[i] = zero;
      n++;
    }
  }
  return n;
}

/**
 * Applies `load`'s NaN policy to a volume just read: `keep` leaves it, `zero` replaces NaN by
 * 0 (in place), `error` throws when there is any. Returns the number of NaN voxels replaced.
 * @throws Error naming `what` (role and file) and the count, for `error`.
 */
export function applyNanPolicy(volume: Volume, policy: NanPolicy, what: string): number {
  if (policy === "keep") return 0;
  if (policy === "zero") return replaceNaN(volume);
  const n = countNaN(volume);
  if (n > 0) {
    throw new Error(
      `Cannot load ${what}: it has ${n} NaN voxel${
        n === 1 ? "" : "s"
      } (load: { nan: error }; use nan: zero to replace them by 0)`,
    );
  }
  return 0;
}

/**
 * The warning of a step that spreads NaN along whole lines (B-spline prefilter, Gaussian
 * smoothing), or undefined when `volume` has no NaN (SPEC §3).
 */
export function nanSpreadWarning(volume: Volume, role: string, why: string): string | undefined {
  const n = countNaN(volume);
  if (n === 0) return undefined;
  return `role "${role}" has ${n} NaN voxel${n === 1 ? "" : "s"}; ${why} spreads NaN along ` +
    `whole lines, so finite voxels become NaN (load: { nan: zero } replaces NaN by 0)`;
}
