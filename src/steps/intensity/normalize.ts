import { z } from "zod";
import { defineStep } from "../step.ts";

const range = z.tuple([z.number(), z.number()]);

const params = z.discriminatedUnion("method", [
  z.object({
    method: z.literal("zscore").describe("(v - mean) / std, population std"),
    mask: z.enum(["all", "nonzero"]).default("all").describe(
      "Voxels the statistics are computed over; with nonzero, voxels outside the mask stay 0",
    ),
  }).strict(),
  z.object({
    method: z.literal("minmax").describe("Linear map of [min, max] to range"),
    range: range.default([0, 1]).describe("Output range [lo, hi]"),
  }).strict(),
  z.object({
    method: z.literal("window").describe("Linear map of from: [a, b] to to: [c, d] (CT windowing)"),
    from: range.describe("Input window [a, b] in image units, e.g. [-1000, 1000] HU"),
    to: range.default([0, 1]).describe("Output range [c, d]"),
    clip: z.boolean().default(true).describe("Clamp results into [c, d]"),
  }).strict(),
]);

/** Normalizes intensities per 3D volume: z-score, min-max or a CT window. */
export const normalize = defineStep({
  name: "normalize",
  kind: "intensity",
  summary: "Normalize intensities: zscore, minmax or window",
  params,
  example: "- step: normalize\n  method: zscore\n  mask: nonzero",
  apply() {
    throw new Error("normalize is not implemented yet");
  },
});
