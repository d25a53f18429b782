import { z } from "zod";
import { defineTransform, probability, triple } from "./augment_transform.ts";
import { resolveSize, sizeSchema, window } from "./crop.ts";
import { anchoredOrigin } from "../../volume/crop_or_pad.ts";

const params = z.object({
  size: sizeSchema.describe(
    "Output voxels per axis [x, y, z]; null keeps that axis. Larger axes are padded with fill, smaller ones cropped, both centred",
  ),
  p: probability,
}).strict();

/**
 * Centred crop and/or pad to a fixed size, TorchIO's CropOrPad (the `crop-or-pad` step's
 * `center` anchor, volume/crop_or_pad.ts: an odd difference puts the larger half at the start).
 */
export const cropOrPadTransform = defineTransform({
  name: "crop-or-pad",
  summary: "Centred crop and/or pad to a fixed size",
  kind: "spatial",
  params,
  draw(_rng, p, context) {
    const size = resolveSize(p.size, context.grid);
    const n = context.grid.shape;
    return { size, origin: [0, 1, 2].map((a) => anchoredOrigin(n[a], size[a], "center")) };
  },
  spatial(realized, grid) {
    return window(
      triple(realized.origin, "crop-or-pad.origin"),
      triple(realized.size, "crop-or-pad.size"),
      grid,
    );
  },
});
