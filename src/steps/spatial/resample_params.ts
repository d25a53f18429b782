import { z } from "zod";
import { INTERPOLATIONS } from "../../volume/interpolate.ts";

/** Params shared by resample-to-size and resample-to-spacing (SPEC §3). */
export const resampleCommon = {
  interpolation: z.enum(INTERPOLATIONS).default("linear").describe(
    "Interpolator for image roles (labels always use nearest): nearest, linear (trilinear) or bspline (cubic, ITK/scipy order 3)",
  ),
  antialias: z.boolean().default(false).describe(
    "Gaussian-smooth axes that are downsampled before sampling (sigma = (r - 1) / 2 voxels, edge-clamped): with linear interpolation on resample-to-size's center grid this equals scikit-image resize(anti_aliasing=True, mode='edge', clip=False), not its defaults (mode='reflect', clip=True)",
  ),
  fill: z.number().default(0).describe("Value of samples outside the input's field of view"),
};

/** A per-axis value where `null` keeps the input's value on that axis. */
export function perAxis<T extends z.ZodType>(item: T) {
  return z.tuple([item.nullable(), item.nullable(), item.nullable()]);
}
