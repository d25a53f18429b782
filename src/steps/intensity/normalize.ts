import { z } from "zod";
import { defineStep, type Item, mapImages, type StepContext } from "../step.ts";
import { type LinearMap, mapToFloat32 } from "../../volume/intensity.ts";
import { deriveFrameStats, derivePercentiles } from "../../volume/stats.ts";
import { type DatasetNeed, requireDatasetStats } from "../dataset_stats.ts";
import { histogramMap } from "./histogram_map.ts";
import { DEFAULT_CUTOFF, landmarkPercentiles } from "../../volume/histogram_standardization.ts";

const range = z.tuple([z.number(), z.number()]);

const over = z.enum(["subject", "dataset"]).default("subject").describe(
  "Statistics of each volume (subject) or pooled over every subject's voxels as they reach this step (dataset: exact for integer values; a statistics pass before the run)",
);
const mask = (what: string) =>
  z.string().default("all").describe(
    `Voxels the statistics are computed over: all, nonzero (${what}) or, with over: dataset, a role whose nonzero voxels count (e.g. label = foreground, nnU-Net's CT normalization); the map applies to every voxel`,
  );

const params = z.discriminatedUnion("method", [
  z.object({
    method: z.literal("zscore").describe(
      "(v - mean) / std with population std (ddof 0); std = 0 gives 0 with a warning",
    ),
    mask: mask("voxels outside the mask stay 0"),
    over,
    clipPercentiles: z.tuple([z.number().min(0).max(100), z.number().min(0).max(100)])
      .refine(([a, b]) => a < b, { message: "clipPercentiles must be increasing [lo, hi]" })
      .optional().describe(
        "Clip to these percentiles of the same voxels before the z-score, mean/std taken before clipping (nnU-Net's CTNormalization with over: dataset, mask: label)",
      ),
  }).strict(),
  z.object({
    method: z.literal("minmax").describe("Linear map of [min, max] to range"),
    range: range.default([0, 1]).describe(
      "Output range [lo, hi]; a constant volume (max = min) maps to lo with a warning",
    ),
    mask: mask("zeros stay 0"),
    over,
  }).strict(),
  z.object({
    method: z.literal("histogram").describe(
      "Nyúl–Udupa histogram standardization (TorchIO HistogramStandardization): landmarks learned over the dataset",
    ),
    over: z.literal("dataset").default("dataset").describe(
      "Landmarks are always learned over the dataset (a statistics pass before the run)",
    ),
    mask: mask("the map still applies to every voxel, as TorchIO"),
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

/** over: subject takes mask all or nonzero; a role mask needs the dataset pass. */
function subjectMask(p: { mask: string }): "all" | "nonzero" {
  if (p.mask === "all" || p.mask === "nonzero") return p.mask;
  throw new Error(`Cannot use mask "${p.mask}" per subject: a role mask needs over: dataset`);
}

/** The value map of one frame and what it was derived from (provenance). */
function frameMap(
  item: Item,
  t: number,
  p: NormalizeParams,
  ctx: StepContext,
): { map: LinearMap; stats: Record<string, number> } {
  const where = `normalize: role "${item.role}" frame ${t}`;
  if (p.method === "window") {
    const [a, b] = p.from, [c, d] = p.to;
    const bounds = p.clip ? { lo: Math.min(c, d), hi: Math.max(c, d) } : {};
    return { map: { sub: a, div: b - a, mul: d - c, add: c, ...bounds }, stats: {} };
  }
  if (p.method === "histogram") throw new Error("histogram is mapped by histogramMap");
  const pooled = p.over === "dataset"
    ? requireDatasetStats(ctx.dataset, "normalize").roles?.[item.role]?.[t]
    : undefined;
  const s = p.over === "dataset"
    ? {
      n: pooled?.n ?? 0,
      mean: pooled?.mean ?? NaN,
      std: pooled?.std ?? NaN,
      min: pooled?.min ?? NaN,
      max: pooled?.max ?? NaN,
    }
    : deriveFrameStats(item.volume, t, subjectMask(p));
  const keepZero = p.mask === "nonzero";
  if (p.method === "zscore") {
    const stats: Record<string, number> = { mean: s.mean, std: s.std, n: s.n };
    let bounds = {};
    if (p.clipPercentiles) {
      const [lo, hi] = pooled
        ? p.clipPercentiles.map((q) => pooled.percentiles[String(q)] ?? NaN)
        : derivePercentiles(item.volume, t, p.clipPercentiles, subjectMask(p));
      Object.assign(stats, { clipMin: lo, clipMax: hi });
      if (s.std > 0 && Number.isFinite(lo)) {
        bounds = { lo: (lo - s.mean) / s.std, hi: (hi - s.mean) / s.std };
      }
    }
    if (!(s.std > 0) || !Number.isFinite(s.std)) {
      ctx.warn(`${where}: std is ${s.n === 0 ? "undefined (no voxels)" : s.std}; output set to 0`);
      return { map: { sub: 0, div: 1, mul: 0, add: 0, keepZero }, stats };
    }
    return { map: { sub: s.mean, div: s.std, mul: 1, add: 0, keepZero, ...bounds }, stats };
  }
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
 * Normalizes intensities per 3D frame into float32: z-score, min-max or a CT window.
 * zscore uses population std (ddof 0); with `mask: nonzero` statistics come from voxels ≠ 0
 * and those outside stay 0; std = 0 gives 0 (warned). minmax with max = min gives
 * range[0] (warned). NaN stays NaN. With `over: dataset` the statistics are pooled over every
 * subject (`context.dataset`, within `mask`: all, nonzero or a role's nonzero voxels); zscore
 * `clipPercentiles` clips first (nnU-Net CT). `histogram`: Nyúl–Udupa as TorchIO (histogram_map.ts). Record: `{ method, roles: { <role>: { frames: [...] } } }`
 * with `{ mean, std, n }` (zscore), `{ min, max, n }` (minmax) or `{ clamped }` (window).
 */
export const normalize = defineStep({
  name: "normalize",
  kind: "intensity",
  summary: "Normalize intensities: zscore, minmax or window",
  params,
  example: "- step: normalize\n  method: zscore\n  mask: nonzero",
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
  apply(subject, p, ctx) {
    if (p.method === "histogram") return histogramMap(subject, p, ctx);
    const roles: Record<string, unknown> = {};
    const out = mapImages(subject, (item) => {
      const frames = [];
      for (let t = 0; t < item.volume.frames; t++) frames.push(frameMap(item, t, p, ctx));
      const r = mapToFloat32(item.volume, frames.map((f) => f.map));
      roles[item.role] = {
        frames: frames.map((f, t) => (p.method === "window" ? { clamped: r.clamped[t] } : f.stats)),
      };
      return {
        ...item,
        volume: r.volume,
        dtypeReason: `normalize (${p.method}) made values fractional`,
      };
    });
    const dataset = p.method !== "window" && p.over === "dataset";
    return {
      subject: out,
      record: dataset ? { method: p.method, over: "dataset", mask: p.mask, roles } : {
        method: p.method,
        roles,
      },
    };
  },
});
