import { z } from "zod";
import { defineStep, type Item, mapImages, type StepContext } from "../step.ts";
import {
  type Bounds,
  clampMap,
  clampStored,
  deriveStoredBounds,
  mapToFloat,
} from "../../volume/intensity.ts";
import { derivePercentiles } from "../../volume/stats.ts";
import { floatStorageOf, REAL_UNITS } from "../../volume/encode.ts";
import { type DatasetStats, requireDatasetStats } from "../dataset_stats.ts";
import { maskOf, type MaskParam, maskParam, masksOf } from "./mask_role.ts";

const params = z.object({
  min: z.number().optional().describe("Lowest value kept, in image units (e.g. HU)"),
  max: z.number().optional().describe("Highest value kept, in image units"),
  percentiles: z.tuple([z.number().min(0).max(100), z.number().min(0).max(100)]).optional()
    .describe(
      "Clip to these percentiles [lo, hi] (0-100, numpy's linear method) instead of min/max",
    ),
  mask: maskParam.describe(
    "Voxels the percentiles are computed over: all, nonzero (zeros are not clipped and stay 0), or a role of the subject (e.g. brainmask, label = foreground as nnU-Net): the voxels where that role is nonzero (every voxel is then clipped)",
  ),
  over: z.enum(["subject", "dataset"]).default("subject").describe(
    "Percentiles of each volume (subject) or pooled over every subject's voxels as they reach this step (dataset: exact for integer values; a statistics pass before the run)",
  ),
}).strict()
  .refine((p) => p.percentiles !== undefined || p.min !== undefined || p.max !== undefined, {
    message: "Give min and/or max, or percentiles",
  })
  .refine((p) => p.percentiles === undefined || (p.min === undefined && p.max === undefined), {
    message: "Give either min/max or percentiles, not both",
    path: ["percentiles"],
  })
  .refine((p) => p.min === undefined || p.max === undefined || p.min < p.max, {
    message: "min must be < max",
    path: ["max"],
  })
  .refine((p) => p.percentiles === undefined || p.percentiles[0] < p.percentiles[1], {
    message: "percentiles must be increasing [lo, hi]",
    path: ["percentiles"],
  })
  .refine((p) => p.mask === "all" || p.percentiles !== undefined, {
    message: "mask only applies to percentiles; min/max clip every voxel",
    path: ["mask"],
  })
  .refine((p) => p.over === "subject" || p.percentiles !== undefined, {
    message:
      "over: dataset pools percentiles over every subject; min/max need no statistics (give percentiles)",
    path: ["over"],
  });

type ClipParams = z.output<typeof params>;

/** [min, max] when both are given (the values a preview shows), else undefined. */
function clipRange(p: ClipParams): readonly [number, number] | undefined {
  return p.min !== undefined && p.max !== undefined ? [p.min, p.max] : undefined;
}

/** The pooled percentiles [lo, hi] of a role's frame (NaN when nothing was pooled). */
function datasetPercentiles(stats: DatasetStats, item: Item, t: number, qs: number[]): number[] {
  const frame = stats.roles?.[item.role]?.[t];
  return qs.map((q) => frame?.percentiles[String(q)] ?? NaN);
}

/** Bounds of every frame in image units (±Infinity = open side); warns when a mask is empty. */
function frameBounds(
  item: Item,
  p: ClipParams,
  ctx: StepContext,
  masks: ReadonlyMap<string, Item>,
): Bounds[] {
  const bounds: Bounds[] = [];
  const stats = p.over === "dataset" ? requireDatasetStats(ctx.dataset, "clip") : undefined;
  for (let t = 0; t < item.volume.frames; t++) {
    if (p.percentiles === undefined) {
      bounds.push({ lo: p.min ?? -Infinity, hi: p.max ?? Infinity });
      continue;
    }
    const [lo, hi] = stats ? datasetPercentiles(stats, item, t, p.percentiles) : (() => {
      const m = maskOf(item, t, p.mask as MaskParam, masks);
      return derivePercentiles(m.volume, m.frame, p.percentiles, m.mask);
    })();
    if (Number.isNaN(lo)) {
      const which = p.over === "dataset"
        ? "pooled "
        : p.mask === "all"
        ? ""
        : p.mask === "nonzero"
        ? "nonzero "
        : `"${p.mask}" `;
      ctx.warn(
        `clip: role "${item.role}" frame ${t} has no ${which}voxels that are not NaN; left unclipped`,
      );
      bounds.push({ lo: -Infinity, hi: Infinity });
    } else bounds.push({ lo, hi });
  }
  return bounds;
}

/** Number or null (JSON has no Infinity) for provenance. */
const finiteOrNull = (x: number) => (Number.isFinite(x) ? x : null);

/**
 * Clamps intensities into [min, max] or into a percentile range (per 3D frame); with
 * `mask: nonzero` the percentiles come from the nonzero voxels and zero voxels stay 0; with
 * `mask: <role>` from the voxels where that role is nonzero (same grid), and every voxel is clipped. With
 * `over: dataset` the percentiles are pooled over every subject (`context.dataset`, exact for
 * integer values) within `mask`.
 * Values stay of the input's kind (its type at save) when the bounds are representable in
 * the input's type (SPEC §2), else the result is float32. Record: `{ roles: { <role>: { dtype, frames: [{ min, max, clamped }] } } }`
 * with the bounds actually used (null = open side) and the number of voxels changed.
 */
export const clip = defineStep({
  name: "clip",
  kind: "intensity",
  summary: "Clamp intensities into [min, max] or a percentile range",
  params,
  valueRange: clipRange,
  example: "- step: clip\n  min: -1000\n  max: 1000",
  dataset: (p) =>
    p.over === "dataset"
      ? { kind: "values", mask: p.mask, percentiles: p.percentiles ?? [] }
      : undefined,
  rolesUsed: (
    p,
  ) => (p.mask === "all" || p.mask === "nonzero" ? [] : [{ path: ["mask"], role: p.mask }]),
  apply(subject, p, ctx) {
    const roles: Record<string, unknown> = {};
    // With mask: nonzero, zeros are background (as for normalize): they stay 0.
    const keepZero = p.mask === "nonzero";
    const masks = masksOf(subject, p.mask as MaskParam);
    const out = mapImages(subject, (item) => {
      const v = item.volume;
      const bounds = frameBounds(item, p, ctx, masks);
      // Values still of the input's kind (maybe fractional after resampling) stay so when the
      // bounds are representable in the input's type (SPEC §2: save then rounds into it).
      const kind = item.dtypeReason === undefined ? item.inputDType : v.dtype;
      const stored = bounds.map((b) => deriveStoredBounds({ ...v, dtype: kind }, b));
      let next: Item;
      let clamped: number[];
      if (stored.every((b) => b !== undefined)) {
        const r = clampStored(v, stored as Bounds[], { keepZero });
        next = { ...item, volume: r.volume };
        clamped = r.clamped;
      } else {
        const scaled = v.slope !== 1 || v.inter !== 0;
        const how = scaled ? ` with slope ${v.slope}, inter ${v.inter}` : "";
        const dtypeReason = `clip bounds not representable in ${kind}${how}`;
        const storage = floatStorageOf({ ...item, dtypeReason }, ctx?.floats, REAL_UNITS);
        const maps = bounds.map((b) => ({ ...clampMap(b), keepZero }));
        const r = mapToFloat(v, maps, { storage });
        next = { ...item, volume: r.volume, dtypeReason };
        clamped = r.clamped;
      }
      roles[item.role] = {
        dtype: next.volume.dtype,
        frames: bounds.map((b, t) => ({
          min: finiteOrNull(b.lo),
          max: finiteOrNull(b.hi),
          clamped: clamped[t],
        })),
      };
      return next;
    });
    return {
      subject: out,
      record: p.over === "dataset" ? { roles, over: "dataset", mask: p.mask } : { roles },
    };
  },
});
