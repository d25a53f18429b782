import { z } from "zod";
import { defineStep, type Item, mapImages, type StepContext } from "../step.ts";
import { type LinearMap, mapToFloat32 } from "../../volume/intensity.ts";
import { deriveFrameStats } from "../../volume/stats.ts";
import { isMaskRole, maskOf, maskParam, masksOf } from "./mask_role.ts";

const range = z.tuple([z.number(), z.number()]);

/** What normalize does outside the mask (SPEC §4). */
const OUTSIDE = ["zero", "normalize", "keep"] as const;

/** `outside` as written, or its default: zero for `mask: nonzero`, normalize for a role. */
export function outsideOf(p: { mask: string; outside?: typeof OUTSIDE[number] }) {
  return p.outside ?? (p.mask === "nonzero" ? "zero" : "normalize");
}

const params = z.discriminatedUnion("method", [
  z.object({
    method: z.literal("zscore").describe(
      "(v - mean) / std with population std (ddof 0); std = 0 gives 0 with a warning",
    ),
    mask: maskParam.describe(
      "Voxels the statistics are computed over: all, nonzero, or a role of the subject (e.g. brainmask, a label map): the voxels where that role is nonzero",
    ),
    outside: z.enum(OUTSIDE).optional().describe(
      "What voxels outside the mask become: zero, normalize (the same map as inside) or keep (unchanged); default zero for mask: nonzero, normalize for mask: <role> (nnU-Net's CT scheme)",
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
  if (p.method === "zscore") {
    const m = maskOf(item, t, p.mask, masks);
    const s = deriveFrameStats(m.volume, m.frame, m.mask);
    const outside = outsideOf(p);
    // nonzero: voxels outside are 0, so zero and keep both leave them at 0
    const keepZero = p.mask === "nonzero" && outside !== "normalize";
    const rest = m.selection && outside !== "normalize"
      ? { outside: { selection: m.selection, mode: outside } }
      : {};
    const stats = { mean: s.mean, std: s.std, n: s.n };
    if (!(s.std > 0) || !Number.isFinite(s.std)) {
      ctx.warn(`${where}: std is ${s.n === 0 ? "undefined (no voxels)" : s.std}; output set to 0`);
      return { map: { sub: 0, div: 1, mul: 0, add: 0, keepZero, ...rest }, stats };
    }
    return { map: { sub: s.mean, div: s.std, mul: 1, add: 0, keepZero, ...rest }, stats };
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
 * and those outside stay 0; with `mask: <role>` from the voxels where that role is nonzero (on the
 * same grid) and the map applies to every voxel; `outside: zero | normalize | keep` overrides
 * what voxels outside the mask become; std = 0 gives 0 (warned). minmax with max = min gives
 * range[0] (warned). NaN stays NaN. Record: `{ method, roles: { <role>: { frames: [...] } } }`
 * with `{ mean, std, n }` (zscore), `{ min, max, n }` (minmax) or `{ clamped }` (window).
 */
export const normalize = defineStep({
  name: "normalize",
  kind: "intensity",
  summary: "Normalize intensities: zscore, minmax or window",
  params,
  example: "- step: normalize\n  method: zscore\n  mask: nonzero",
  rolesUsed: (p) =>
    p.method === "zscore" && isMaskRole(p.mask) ? [{ path: ["mask"], role: p.mask }] : [],
  apply(subject, p, ctx) {
    const roles: Record<string, unknown> = {};
    const masks = p.method === "zscore" ? masksOf(subject, p.mask) : new Map();
    const out = mapImages(subject, (item) => {
      const frames = [];
      for (let t = 0; t < item.volume.frames; t++) frames.push(frameMap(item, t, p, ctx, masks));
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
    const how = p.method === "zscore" && p.mask !== "all" ? { outside: outsideOf(p) } : {};
    return { subject: out, record: { method: p.method, ...how, roles } };
  },
});
