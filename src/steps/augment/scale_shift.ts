import { z } from "zod";
import { defineTransform, num, probability } from "./augment_transform.ts";
import { drawIn, rangeSchema, toRange } from "./ranges.ts";

const params = z.object({
  scale: rangeSchema().default([1, 1]).describe(
    "Multiplicative factor: v means [1 - v, 1 + v], or [lo, hi]",
  ),
  shift: rangeSchema().default(0).describe(
    "Added offset in image units (after scaling): v means [-v, v], or [lo, hi]",
  ),
  p: probability,
}).strict();

/** Scales and shifts intensities: v ↦ v·scale + shift, both drawn once per sample. */
export const scaleShift = defineTransform({
  name: "scale-shift",
  summary: "Random multiplicative scale and additive shift of intensities",
  kind: "intensity",
  params,
  draw(rng, p) {
    return {
      scale: drawIn(rng, toRange(p.scale, 1)),
      shift: drawIn(rng, toRange(p.shift)),
    };
  },
  intensity(realized, image) {
    const s = num(realized.scale, "scale-shift.scale");
    const b = num(realized.shift, "scale-shift.shift");
    const d = image.data;
    for (let i = 0; i < d.length; i++) d[i] = d[i] * s + b;
  },
});
