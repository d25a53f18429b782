/**
 * The `augment` step (SPEC §3, §5). Choices the contract leaves open:
 * - transforms are drawn in list order from one generator seeded with ctx.seed;
 *   each first draws whether it fires (probability `p`), except `flip`, whose `p`
 *   is per axis; sub-generators (noise, elastic control points) get a drawn
 *   32-bit seed, which is what the record keeps;
 * - all spatial transforms are composed into one coordinate map and every role
 *   is sampled once, at the place of the last spatial transform: intensity
 *   transforms listed before it act on the input grid, those after it on the
 *   output grid; a map that only hits whole voxels (flips, crops, 90° turns) is
 *   sampled with nearest, which is exact for every interpolator;
 * - rotations (about world x, then y, then z), zooms and shifts act in world mm
 *   about the centre of the grid they apply to; crops are whole-voxel windows;
 * - `record` holds, per transform in order, `fired` and every drawn value, the
 *   seed, and the fill used per role: given back as ctx.replay it reproduces
 *   the sample's bytes without drawing.
 */
import { z } from "zod";
import { INTERPOLATIONS } from "../../volume/interpolate.ts";
import { defineStep, type Item, type StepRecord } from "../step.ts";
import type { AugmentTransform } from "./augment_transform.ts";
import { affine } from "./affine.ts";
import { biasField } from "./bias_field.ts";
import { blur } from "./blur.ts";
import { crop } from "./crop.ts";
import { cropOrPadTransform } from "./crop_or_pad_transform.ts";
import { elastic } from "./elastic.ts";
import { flip } from "./flip.ts";
import { gamma } from "./gamma.ts";
import { noise } from "./noise.ts";
import { realizeSample, type TransformEntry } from "./realize.ts";
import { type IntensityCall, renderItems } from "./render.ts";
import { scaleShift } from "./scale_shift.ts";
import { nanSpreadWarning } from "../../volume/nan.ts";

/** Every augmentation transform, by recipe key. */
export const TRANSFORMS: readonly AugmentTransform[] = [
  flip,
  affine,
  elastic,
  crop,
  cropOrPadTransform,
  noise,
  gamma,
  scaleShift,
  blur,
  biasField,
] as unknown as readonly AugmentTransform[];

const names = (kind: "spatial" | "intensity") =>
  TRANSFORMS.filter((t) => t.kind === kind).map((t) => t.name).join(", ");

const entry = z.object(
  Object.fromEntries(TRANSFORMS.map((t) => [t.name, t.params.optional().describe(t.summary)])),
).strict().refine((e) => Object.values(e).filter((v) => v !== undefined).length === 1, {
  message: `Each transform is a one-key map {name: params}, e.g. "- flip: { axes: [0] }"; names: ${
    TRANSFORMS.map((t) => t.name).join(", ")
  }`,
});

const params = z.object({
  copies: z.number().int().min(1).max(100000).default(1).describe(
    "Outputs per subject, each drawn independently ({copy} in save names: 0 … copies - 1)",
  ),
  transforms: z.array(entry).min(1).describe(
    `Ordered transforms, each a one-key map {name: params} with a probability p (default 1). Spatial (composed into one coordinate map; every role sampled once): ${
      names("spatial")
    }. Intensity (images only): ${names("intensity")}. Their params: \`medprep schema\``,
  ),
  interpolation: z.enum(INTERPOLATIONS).default("linear").describe(
    "Interpolator for image roles (labels always use nearest): nearest, linear (trilinear) or bspline (cubic)",
  ),
  fill: z.number().optional().describe(
    "Image value outside the field of view, in image units (default: the image's minimum, e.g. air in CT); labels get 0",
  ),
}).strict();

type Params = z.output<typeof params>;

function entries(p: Params): TransformEntry[] {
  return p.transforms.map((e) => {
    const [name, value] = Object.entries(e).find(([, v]) => v !== undefined)!;
    const def = TRANSFORMS.find((t) => t.name === name)!;
    return { def, params: value as TransformEntry["params"] };
  });
}

function checkOneGrid(id: string, items: readonly Item[]): void {
  const [a] = items;
  for (const b of items.slice(1)) {
    const same = b.volume.shape.every((n, i) => n === a.volume.shape[i]) &&
      b.volume.affine.every((row, r) =>
        row.every((v, c) => Math.abs(v - a.volume.affine[r][c]) <= 1e-6 * (1 + Math.abs(v)))
      );
    if (!same) {
      throw new Error(
        `Cannot augment "${id}": roles "${a.role}" and "${b.role}" are on different grids; resample them onto one grid first`,
      );
    }
  }
}

/**
 * Random paired augmentation: draws every transform from ctx.seed (or takes
 * ctx.replay), applies the same spatial map to every role and intensity
 * transforms to images, and records every drawn value.
 */
export const augment = defineStep({
  name: "augment",
  kind: "augment",
  summary: "Random paired spatial and intensity augmentation, recorded and replayable",
  params,
  example: "- step: augment\n  copies: 3\n  transforms:\n    - flip: { axes: [0], p: 0.5 }\n" +
    "    - affine: { rotate: [-20, 20], scale: [0.9, 1.1], translate: [-3, 3] }\n" +
    "    - elastic: { maxDisplacement: 4, controlPoints: 7 }\n    - noise: { std: [0, 20] }",
  copies: (p) => p.copies,
  apply(subject, p, ctx) {
    if (subject.items.length === 0) return { subject };
    checkOneGrid(subject.id, subject.items);
    const list = entries(p);
    const v = subject.items[0].volume;
    const sample = realizeSample(
      list,
      { shape: v.shape, affine: v.affine },
      subject.items.filter((
        it,
      ) => it.label),
      { seed: ctx.seed, record: ctx.replay },
    );
    const lastSpatial = list.findLastIndex((e) => e.def.kind === "spatial");
    const calls = (from: number, to: number): IntensityCall[] =>
      list.flatMap((e, i) =>
        i >= from && i < to && e.def.kind === "intensity" && sample.happened[i].fired
          ? [{ def: e.def, realized: sample.happened[i] }]
          : []
      );
    // Images of every copy get the same stored type: float32 as soon as the recipe lists an
    // intensity transform that can fire, whether or not it fired for this copy.
    const intensity = list.find((e) =>
      e.def.kind === "intensity" && ((e.params as { p?: number }).p ?? 1) > 0
    );
    const options = {
      interpolation: p.interpolation,
      fill: p.fill,
      floatReason: intensity && `augment: ${intensity.def.name} makes values fractional`,
      before: calls(0, lastSpatial),
      after: calls(Math.max(lastSpatial, 0), list.length),
      floats: ctx.floats,
    };
    const { items, fills, interpolation } = renderItems(subject.items, sample, options);
    // SPEC §3: the B-spline prefilter and Gaussian blur spread NaN along whole lines.
    const blurred = list.some((e, i) => e.def.name === "blur" && sample.happened[i].fired);
    for (const it of subject.items) {
      const why = it.label
        ? ""
        : interpolation[it.role] === "bspline"
        ? "the B-spline prefilter"
        : blurred
        ? "Gaussian blur"
        : "";
      const warning = why && nanSpreadWarning(it.volume, it.role, why);
      if (warning) ctx.warn(warning);
    }
    const record: StepRecord = {
      seed: ctx.seed,
      transforms: sample.happened,
      fill: fills,
      interpolation,
    };
    return { subject: { ...subject, copy: ctx.copy, items }, record };
  },
});
