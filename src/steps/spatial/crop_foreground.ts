import { z } from "zod";
import { defineStep, type Item, mapItems } from "../step.ts";
import { requireOneGrid } from "../one_grid.ts";
import { type Box, boxOfMask, growBox, markVoxels } from "../../volume/bounding_box.ts";
import { cropVolume } from "../../volume/primitives.ts";
import { columnNorms } from "../../volume/affine.ts";

const margin = z.number().min(0).max(1e4);

const params = z.object({
  of: z.string().min(1).optional().describe(
    "Role whose voxels define the foreground (e.g. label, brainmask); default: every image (non-label) role, all channels",
  ),
  above: z.number().optional().describe(
    "Foreground = voxels whose value is > this (e.g. -500 for the CT body) instead of nonzero; applies to `of` or to the image roles",
  ),
  margin: z.union([margin, z.tuple([margin, margin, margin])]).default(0).describe(
    "Extra border kept around the box on both sides, per axis [x, y, z] or one number, in `units`; clamped to the volume",
  ),
  units: z.enum(["voxels", "mm"]).default("voxels").describe(
    "Unit of `margin`: voxels, or mm (rounded up to whole voxels per axis: ceil(mm / spacing))",
  ),
}).strict().prefault({});

type Params = z.output<typeof params>;

/** The voxels of a margin in mm: ceil(mm / spacing), 1e-6 voxel of float round-off forgiven. */
function marginVoxels(p: Params, item: Item): [number, number, number] {
  const m = typeof p.margin === "number" ? [p.margin, p.margin, p.margin] : p.margin;
  if (p.units === "voxels") return m.map((x) => Math.ceil(x - 1e-6)) as [number, number, number];
  const s = columnNorms(item.volume.affine);
  return m.map((x, a) => Math.ceil(x / s[a] - 1e-6)) as [number, number, number];
}

/** The roles the foreground is taken from, and a description for records and warnings. */
function sourcesOf(items: readonly Item[], p: Params): { items: Item[]; what: string } {
  const test = p.above === undefined ? "nonzero voxels" : `voxels > ${p.above}`;
  if (p.of !== undefined) {
    const item = items.find((it) => it.role === p.of);
    if (!item) {
      throw new Error(
        `Cannot crop to the foreground of role "${p.of}": the subject has roles ${
          items.map((it) => `"${it.role}"`).join(", ")
        }`,
      );
    }
    return { items: [item], what: `${test} of ${p.of}` };
  }
  const images = items.filter((it) => !it.label);
  if (images.length === 0) {
    throw new Error(
      "Cannot crop to the foreground of the images: the subject has only label roles; name one with `of`",
    );
  }
  return { items: images, what: `${test} of ${images.map((it) => it.role).join(", ")}` };
}

/**
 * Crops every role to the bounding box of the foreground (nnU-Net `crop_to_nonzero`): nonzero
 * voxels of the image roles in any channel (NaN counts as nonzero, as `d != 0` does), or of role
 * `of`, or voxels above a threshold; grown by `margin` and clamped to the volume. Values are
 * moved, never interpolated (labels exact, any type, 4D); the affine is translated so the cropped
 * content overlays the input exactly. An empty foreground keeps the whole volume, with a
 * warning. Record: `box` ({ start, stop }: voxels [start, stop) per axis of the input),
 * `inputShape`, `shape`, `foreground` (what was tested) and `voxels` (how many passed).
 */
export const cropForeground = defineStep({
  name: "crop-foreground",
  kind: "spatial",
  summary:
    "Crop every role to the bounding box of the foreground (nonzero images, a role or a threshold); empty foreground keeps the volume with a warning",
  params,
  example: "- step: crop-foreground\n  margin: 2",
  apply(subject, p, ctx) {
    requireOneGrid(subject.items, "crop to the foreground");
    const shape = subject.items[0].volume.shape;
    const sources = sourcesOf(subject.items, p);
    const above = p.above;
    const test = above === undefined ? (v: number) => v !== 0 : (v: number) => v > above;
    const mask = new Uint8Array(shape[0] * shape[1] * shape[2]);
    for (const item of sources.items) markVoxels(item.volume, test, mask);
    const found = boxOfMask(mask, shape);
    const box = found?.box, voxels = found?.voxels ?? 0;
    const whole: Box = { start: [0, 0, 0], stop: [shape[0], shape[1], shape[2]] };
    if (!box) {
      ctx.warn(`crop-foreground: no ${sources.what}; the whole volume is kept`);
    }
    const margins = marginVoxels(p, subject.items[0]);
    const kept = box ? growBox(box, margins, shape) : whole;
    const size = [0, 1, 2].map((a) => kept.stop[a] - kept.start[a]);
    const same = size.every((n, a) => n === shape[a]);
    const next = same ? subject : mapItems(subject, (item) => ({
      ...item,
      volume: cropVolume(item.volume, { origin: kept.start, size }),
    }));
    return {
      subject: next,
      record: {
        box: { start: [...kept.start], stop: [...kept.stop] },
        inputShape: [...shape],
        shape: size,
        foreground: sources.what,
        voxels,
        margin: margins,
      },
    };
  },
});
