import { z } from "zod";
import { defineTransform, num, probability } from "./augment_transform.ts";
import { drawIn, rangeSchema, toRange } from "./ranges.ts";

const params = z.object({
  logGamma: rangeSchema().default(0.3).describe(
    "Range of log(gamma): v means [-v, v], or [lo, hi]; gamma = exp(drawn value)",
  ),
  p: probability,
}).strict();

/**
 * Gamma curve on min-max-normalized values, mapped back to the original range:
 * v ↦ min + (max − min)·((v − min)/(max − min))^γ, per 3D frame.
 */
export const gamma = defineTransform({
  name: "gamma",
  summary: "Random gamma curve on min-max-normalized intensities",
  kind: "intensity",
  params,
  draw(rng, p) {
    return { gamma: Math.exp(drawIn(rng, toRange(p.logGamma))) };
  },
  intensity(realized, image) {
    const g = num(realized.gamma, "gamma.gamma");
    const n = image.data.length / image.frames;
    for (let f = 0; f < image.frames; f++) {
      const d = image.data.subarray(f * n, (f + 1) * n);
      let lo = Infinity, hi = -Infinity;
      for (const v of d) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      if (!(hi > lo)) continue;
      const w = hi - lo;
      for (let i = 0; i < n; i++) d[i] = lo + w * Math.pow((d[i] - lo) / w, g);
    }
  },
});
