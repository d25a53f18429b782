/**
 * `normalize: { method: histogram }`: Nyúl–Udupa histogram standardization exactly as TorchIO's
 * `HistogramStandardization` applies it — the image is cast to float32, its own landmarks are
 * `np.percentile` of the voxels in the mask, each voxel is mapped by the piece `np.digitize`
 * picks onto the landmarks learned over the dataset (`context.dataset`), stored as float32.
 * The mask only selects the voxels of the landmarks; every voxel is mapped (as TorchIO).
 */
import type { StepContext, StepResult, Subject } from "../step.ts";
import { mapImages } from "../step.ts";
import { maskedSorted, maskFor, requireDatasetStats, sortedPercentiles } from "../dataset_stats.ts";
import {
  applyPiecewise,
  landmarkPercentiles,
  piecewiseMap,
} from "../../volume/histogram_standardization.ts";
import { frameNumbers } from "../../volume/stats.ts";
import { frameLength } from "../../volume/volume.ts";
import { withData } from "../../volume/intensity.ts";

/** Maps every image role of `subject` onto the dataset's landmarks. */
export function histogramMap(
  subject: Subject,
  p: { mask: string; cutoff: [number, number] },
  ctx: StepContext,
): StepResult {
  const stats = requireDatasetStats(ctx.dataset, "normalize (histogram)");
  const percentiles = landmarkPercentiles(p.cutoff);
  const roles: Record<string, unknown> = {};
  const out = mapImages(subject, (item) => {
    const v = item.volume;
    const len = frameLength(v);
    const data = new Float32Array(len * v.frames);
    const frames = [];
    for (let t = 0; t < v.frames; t++) {
      const mapping = stats.roles?.[item.role]?.[t]?.landmarks;
      if (!mapping || mapping.length !== percentiles.length) {
        throw new Error(
          `Cannot standardize role "${item.role}" frame ${t}: no landmarks were learned for it`,
        );
      }
      const mask = maskFor(subject, p.mask, item);
      const own = sortedPercentiles(maskedSorted(v, t, mask, true), percentiles);
      const map = piecewiseMap(own, mapping, percentiles);
      const src = frameNumbers(v, t);
      for (let i = 0; i < len; i++) {
        data[t * len + i] = applyPiecewise(map, Math.fround(src[i] * v.slope + v.inter));
      }
      frames.push({ landmarks: own, mapping });
    }
    roles[item.role] = { frames };
    return {
      ...item,
      volume: withData(v, data, 1, 0),
      dtypeReason: "normalize (histogram) made values fractional",
    };
  });
  return { subject: out, record: { method: "histogram", over: "dataset", mask: p.mask, roles } };
}
