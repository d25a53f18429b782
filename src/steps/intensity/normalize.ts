import { z } from "zod";
import { defineStep, type Item, mapImages, type StepContext } from "../step.ts";
import { type LinearMap, mapToFloat32 } from "../../volume/intensity.ts";
import { deriveFrameStats } from "../../volume/stats.ts";

const range = z.tuple([z.number(), z.number()]);

const params = z.discriminatedUnion("method", [
  z.object({
    method: z.literal("zscore").describe(
      "(v - mean) / std with population std (ddof 0); std = 0 gives 0 with a warning",
    ),
    mask: z.enum(["all", "nonzero"]).default("all").describe(
      "Voxels the statistics are computed over; with nonzero, voxels outside the mask stay 0",
    ),
  }).strict(),
  z.object({
    method: z.literal("minmax").describe("Linear map of [min, max] to range"),
    range: range.default([0, 1]).describe(
      "Output range [lo, hi]; a constant volume (max = min) maps to lo with a warning",
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
  if (p.method === "zscore") {
    const s = deriveFrameStats(item.volume, t, p.mask);
    const keepZero = p.mask === "nonzero";
    const stats = { mean: s.mean, std: s.std, n: s.n };
    if (!(s.std > 0) || !Number.isFinite(s.std)) {
      ctx.warn(`${where}: std is ${s.n === 0 ? "undefined (no voxels)" : s.std}; output set to 0`);
      return { map: { sub: 0, div: 1, mul: 0, add: 0, keepZero }, stats };
    }
    return { map: { sub: s.mean, div: s.std, mul: 1, add: 0, keepZero }, stats };
  }
  const s = deriveFrameStats(item.volume, t, "all");
  const [lo, hi] = p.range;
  const stats = { min: s.min, max: s.max, n: s.n };
  if (!(s.max > s.min) || !Number.isFinite(s.max - s.min)) {
    const why = s.n === 0
      ? "no values (all NaN)"
      : s.max === s.min
      ? `min = max = ${s.min}`
      : `no finite range [${s.min}, ${s.max}]`;
    ctx.warn(`${where}: ${why}; output set to range[0] = ${lo}`);
    return { map: { sub: 0, div: 1, mul: 0, add: lo }, stats };
  }
  return { map: { sub: s.min, div: s.max - s.min, mul: hi - lo, add: lo }, stats };
}

/**
 * Normalizes intensities per 3D frame into float32: z-score, min-max or a CT window.
 * zscore uses population std (ddof 0); with `mask: nonzero` statistics come from voxels ≠ 0
 * and those outside stay 0; std = 0 gives 0 (warned). minmax with max = min gives
 * range[0] (warned). NaN stays NaN. Record: `{ method, roles: { <role>: { frames: [...] } } }`
 * with `{ mean, std, n }` (zscore), `{ min, max, n }` (minmax) or `{ clamped }` (window).
 */
export const normalize = defineStep({
  name: "normalize",
  kind: "intensity",
  summary: "Normalize intensities: zscore, minmax or window",
  params,
  valueRange: normalizeRange,
  example: "- step: normalize\n  method: zscore\n  mask: nonzero",
  apply(subject, p, ctx) {
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
    return { subject: out, record: { method: p.method, roles } };
  },
});
