import { z } from "zod";
import { defineTransform, probability, triple } from "./augment_transform.ts";
import { centredOrigin, resolveSize, sizeSchema, window } from "./crop.ts";

const params = z.object({
  size: sizeSchema.describe(
    "Output voxels per axis [x, y, z]; null keeps that axis. Larger axes are padded with fill, smaller ones cropped, both centred",
  ),
  p: probability,
}).strict();

/** Centred crop and/or pad to a fixed size (TorchIO CropOrPad); origin floor((N − M) / 2). */
export const cropOrPad = defineTransform({
  name: "crop-or-pad",
  summary: "Centred crop and/or pad to a fixed size",
  kind: "spatial",
  params,
  draw(_rng, p, context) {
    const size = resolveSize(p.size, context.grid);
    return { size, origin: centredOrigin(size, context.grid) };
  },
  spatial(realized, grid) {
    return window(
      triple(realized.origin, "crop-or-pad.origin"),
      triple(realized.size, "crop-or-pad.size"),
      grid,
    );
  },
});
