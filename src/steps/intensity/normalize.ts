import { z } from "zod";
import { defineStep, type Item, mapImages, materializeItems, type StepContext } from "../step.ts";
import { type LinearMap, mapDeferredToFloat, mapToFloat } from "../../volume/intensity.ts";
import { floatStorageOf, REAL_UNITS } from "../../volume/encode.ts";
import {
  derivePercentiles,
  deriveRunStats,
  frameRuns,
  selectVoxels,
  type VoxelMask,
} from "../../volume/stats.ts";
import { isMaskRole, maskParam, masksOf, roleSelectionOf } from "./mask_role.ts";
import { type DatasetNeed, requireDatasetStats } from "../dataset_stats.ts";
import { histogramMap } from "./histogram_map.ts";
import { DEFAULT_CUTOFF, landmarkPercentiles } from "../../volume/histogram_standardization.ts";

const range = z.tuple([z.number(), z.number()]);

/** What normalize does outside the mask (SPEC §4). */
const OUTSIDE = ["zero", "normalize", "keep"] as const;

/** `outside` as written, or its default: zero for `mask: nonzero`, normalize for a role. */
export function outsideOf(p: { mask: string; outside?: typeof OUTSIDE[number] }) {
  return p.outside ?? (p.mask === "nonzero" ? "zero" : "normalize");
}

const over = z.enum(["subject", "dataset"]).default("subject").describe(
  "Statistics of each volume (subject) or pooled over every subject's voxels as they reach this step (dataset: exact for integer values; a statistics pass before the run)",
);

const params = z.discriminatedUnion("method", [
  z.object({
    method: z.literal("zscore").describe(
      "(v - mean) / std with population std (ddof 0); std = 0 gives 0 with a warning",
    ),
    mask: maskParam.describe(
      "Voxels the statistics are computed over: all, nonzero, or a role of the subject (e.g. brainmask, a label map; label = foreground is nnU-Net's CT choice): the voxels where that role is nonzero",
    ),
    outside: z.enum(OUTSIDE).optional().describe(
      "What voxels outside the mask become: zero, normalize (the same map as inside) or keep (unchanged); default zero for mask: nonzero, normalize for mask: <role> (nnU-Net's CT scheme)",
    ),
    over,
    clipPercentiles: z.tuple([z.number().min(0).max(100), z.number().min(0).max(100)])
      .refine(([a, b]) => a < b, { message: "clipPercentiles must be increasing [lo, hi]" })
      .optional().describe(
        "Clip to these percentiles of the same voxels before the z-score, mean/std taken before clipping (nnU-Net's CTNormalization with over: dataset, mask: label)",
      ),
  }).strict().refine((p) => p.outside === undefined || p.mask !== "all", {
    message: "outside only applies with a mask (nonzero or a role)",
    path: ["outside"],
  }),
  z.object({
    method: z.literal("minmax").describe("Linear map of [min, max] to range"),
    range: range.default([0, 1]).describe(
      "Output range [lo, hi]; a constant volume (max = min) maps to lo with a warning",
    ),
    mask: maskParam.describe(
      "Voxels min and max are taken over: all, nonzero (zeros stay 0) or a role whose nonzero voxels count; the map applies to every other voxel",
    ),
    over,
  }).strict(),
  z.object({
    method: z.literal("histogram").describe(
      "Nyúl–Udupa histogram standardization (TorchIO HistogramStandardization): landmarks learned over the dataset",
    ),
    over: z.literal("dataset").default("dataset").describe(
      "Landmarks are always learned over the dataset (a statistics pass before the run)",
    ),
    mask: maskParam.describe(
      "Voxels the landmarks are taken over: all, nonzero or a role whose nonzero voxels count; the map applies to every voxel, as TorchIO",
    ),
    cutoff: z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)])
      .refine(([a, b]) => a < b, { message: "cutoff must be increasing [lo, hi]" })
      .default([...DEFAULT_CUTOFF] as [number, number]).describe(
        "Quantiles (0-1) of the outer landmarks, TorchIO's default [0.01, 0.99]",
      ),
  }).strict(),
  z.object({
    method: z.literal("window").describe("Linear map of from: [a, b] to to: [c, d] (CT windowing)"),
    from: range.refine(([a, b]) => a < b, { message: "from must be increasing [a, b]" })
      .describe("Input window [a, b] in image units, e.g. [-1000, 1000] HU"),
    to: range.default([0, 1]).describe("Output range [c, d]"),
    clip: z.boolean().default(true).describe("Clamp results into [c, d]"),
  }).strict(),
]);

type NormalizeParams = z.output<typeof params>;

/** The output range a window (with clip) or minmax map guarantees, for previews. */
function normalizeRange(p: NormalizeParams): readonly [number, number] | undefined {
  const r = p.method === "window" && p.clip ? p.to : p.method === "minmax" ? p.range : undefined;
  return r && r[0] !== r[1] ? [Math.min(r[0], r[1]), Math.max(r[0], r[1])] : undefined;
}

/** The statistics of one frame: per subject within the mask, or pooled over the dataset. */
function frameStats(
  item: Item,
  t: number,
  p: Extract<NormalizeParams, { method: "zscore" | "minmax" }>,
  ctx: StepContext,
  masks: ReadonlyMap<string, Item>,
) {
  if (p.over !== "dataset") {
    // Held or deferred values (issue 15: read twice, `frameRuns`), within a mask role's voxels.
    const selection = roleSelectionOf(item, t, p.mask, masks);
    const mask = selection ? "all" : p.mask as VoxelMask;
    const s = deriveRunStats(
      frameRuns(item.volume, t, item.deferred),
      item.volume,
      mask,
      selection,
    );
    const percentiles = (qs: number[]) => {
      if (item.deferred) throw new Error("internal: percentiles of deferred values");
      return selection
        ? derivePercentiles(selectVoxels(item.volume, t, selection), 0, qs, mask)
        : derivePercentiles(item.volume, t, qs, mask);
    };
    return { selection, s, percentiles };
  }
  const pooled = requireDatasetStats(ctx.dataset, "normalize").roles?.[item.role]?.[t];
  const s = {
    n: pooled?.n ?? 0,
    mean: pooled?.mean ?? NaN,
    std: pooled?.std ?? NaN,
    min: pooled?.min ?? NaN,
    max: pooled?.max ?? NaN,
  };
  return {
    selection: roleSelectionOf(item, t, p.mask, masks),
    s,
    percentiles: (qs: number[]) => qs.map((q) => pooled?.percentiles[String(q)] ?? NaN),
  };
}

/** The value map of one frame and what it was derived from (provenance). */
function frameMap(
  item: Item,
  t: number,
  p: NormalizeParams,
  ctx: StepContext,
  masks: ReadonlyMap<string, Item>,
): { map: LinearMap; stats: Record<string, number> } {
  const where = `normalize: role "${item.role}" frame ${t}`;
  if (p.method === "window") {
    const [a, b] = p.from, [c, d] = p.to;
    const bounds = p.clip ? { lo: Math.min(c, d), hi: Math.max(c, d) } : {};
    return { map: { sub: a, div: b - a, mul: d - c, add: c, ...bounds }, stats: {} };
  }
  if (p.method === "histogram") throw new Error("histogram is mapped by histogramMap");
  const { selection, s, percentiles } = frameStats(item, t, p, ctx, masks);
  if (p.method === "zscore") {
    const outside = outsideOf(p);
    // nonzero: voxels outside are 0, so zero and keep both leave them at 0
    const keepZero = p.mask === "nonzero" && outside !== "normalize";
    const rest = selection && outside !== "normalize"
      ? { outside: { selection, mode: outside } }
      : {};
    const stats: Record<string, number> = { mean: s.mean, std: s.std, n: s.n };
    let bounds = {};
    if (p.clipPercentiles) {
      const [lo, hi] = percentiles(p.clipPercentiles);
      Object.assign(stats, { clipMin: lo, clipMax: hi });
      if (s.std > 0 && Number.isFinite(lo)) {
        bounds = { lo: (lo - s.mean) / s.std, hi: (hi - s.mean) / s.std };
      }
    }
    if (!(s.std > 0) || !Number.isFinite(s.std)) {
      ctx.warn(`${where}: std is ${s.n === 0 ? "undefined (no voxels)" : s.std}; output set to 0`);
      return { map: { sub: 0, div: 1, mul: 0, add: 0, keepZero, ...rest }, stats };
    }
    return {
      map: { sub: s.mean, div: s.std, mul: 1, add: 0, keepZero, ...rest, ...bounds },
      stats,
    };
  }
  const keepZero = p.mask === "nonzero";
  const [lo, hi] = p.range;
  const stats = { min: s.min, max: s.max, n: s.n };
  if (!(s.max > s.min) || !Number.isFinite(s.max - s.min)) {
    const why = s.n === 0
      ? "no values (all NaN)"
      : s.max === s.min
      ? `min = max = ${s.min}`
      : `no finite range [${s.min}, ${s.max}]`;
    ctx.warn(`${where}: ${why}; output set to range[0] = ${lo}`);
    return { map: { sub: 0, div: 1, mul: 0, add: lo, keepZero }, stats };
  }
  return { map: { sub: s.min, div: s.max - s.min, mul: hi - lo, add: lo, keepZero }, stats };
}

/**
 * Normalizes intensities per 3D frame into float32: z-score, min-max, a CT window or histogram
 * standardization. zscore uses population std (ddof 0); with `mask: nonzero` statistics come
 * from voxels ≠ 0 and those outside stay 0; with `mask: <role>` from the voxels where that role
 * is nonzero (on the same grid) and the map applies to every voxel; `outside: zero | normalize |
 * keep` overrides what voxels outside the mask become; std = 0 gives 0 (warned). minmax with
 * max = min gives range[0] (warned). NaN stays NaN. With `over: dataset` the statistics are
 * pooled over every subject (`context.dataset`, within `mask`); zscore `clipPercentiles` clips
 * first (nnU-Net CT). `histogram`: Nyúl–Udupa as TorchIO (histogram_map.ts). Record:
 * `{ method, roles: { <role>: { frames: [...] } } }` with `{ mean, std, n }` (zscore),
 * `{ min, max, n }` (minmax) or `{ clamped }` (window).
 */
export const normalize = defineStep({
  name: "normalize",
  kind: "intensity",
  summary: "Normalize intensities: zscore, minmax, window or histogram",
  params,
  valueRange: normalizeRange,
  example: "- step: normalize\n  method: zscore\n  mask: nonzero",
  rolesUsed: (p) =>
    p.method !== "window" && isMaskRole(p.mask) ? [{ path: ["mask"], role: p.mask }] : [],
  dataset(p): DatasetNeed | undefined {
    if (p.method === "window" || p.over !== "dataset") return undefined;
    if (p.method === "histogram") {
      return {
        kind: "values",
        mask: p.mask,
        percentiles: [],
        landmarks: landmarkPercentiles(p.cutoff),
      };
    }
    const percentiles = p.method === "zscore" ? p.clipPercentiles ?? [] : [];
    return { kind: "values", mask: p.mask, percentiles };
  },
  // Issue 15: every method but those needing all values at once (percentiles, histogram).
  readsDeferred: (p) =>
    p.method === "window" || p.method === "minmax" ||
    (p.method === "zscore" && p.clipPercentiles === undefined),
  apply(input, p, ctx) {
    if (p.method === "histogram") return histogramMap(input, p, ctx);
    // A mask role is read voxel by voxel: its values are held first.
    const subject = p.method !== "window" && isMaskRole(p.mask)
      ? materializeItems(input, (it) => it.role === p.mask)
      : input;
    const roles: Record<string, unknown> = {};
    const masks = p.method === "window" ? new Map() : masksOf(subject, p.mask);
    const out = mapImages(subject, (given) => {
      const { deferred, ...item } = given;
      const frames = [];
      for (let t = 0; t < item.volume.frames; t++) frames.push(frameMap(given, t, p, ctx, masks));
      // Issue 15: float voxels nothing reads afterwards take the result (same values); never
      // a mask role's, which the roles after it still read.
      const isMask = [...masks.values()].some((m) => m.volume === item.volume);
      const inPlace = !isMask && (ctx?.owns?.(item.volume) ?? false);
      const dtypeReason = `normalize (${p.method}) made values fractional`;
      const storage = floatStorageOf({ ...item, dtypeReason }, ctx?.floats, REAL_UNITS);
      const maps = frames.map((f) => f.map);
      const r = deferred
        ? mapDeferredToFloat(item.volume, deferred, maps, storage)
        : mapToFloat(item.volume, maps, { storage, inPlace });
      roles[item.role] = {
        frames: frames.map((f, t) => (p.method === "window" ? { clamped: r.clamped[t] } : f.stats)),
      };
      return { ...item, volume: r.volume, dtypeReason };
    });
    const how = p.method === "zscore" && p.mask !== "all" ? { outside: outsideOf(p) } : {};
    const dataset = p.method !== "window" && p.over === "dataset"
      ? { over: "dataset", mask: p.mask }
      : {};
    return { subject: out, record: { method: p.method, ...how, ...dataset, roles } };
  },
});
