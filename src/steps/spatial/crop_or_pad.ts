import { z } from "zod";
import { defineStep, type Item, mapItems, type StepContext } from "../step.ts";
import { requireOneGrid } from "../one_grid.ts";
import { resolveSize, sizeSchema } from "../augment/crop.ts";
import { deriveMinimum } from "../augment/render.ts";
import {
  anchoredOrigin,
  ANCHORS,
  centredOrigin,
  windowEffect,
  windowWithFill,
} from "../../volume/crop_or_pad.ts";
import { centreOfMask, markVoxels } from "../../volume/bounding_box.ts";
import { windowGrid } from "../../volume/primitives.ts";
import { floatStorageOf, REAL_UNITS } from "../../volume/encode.ts";

const params = z.object({
  size: sizeSchema.describe(
    "Output voxels per axis [x, y, z]; null keeps that axis. Larger axes are padded, smaller ones cropped",
  ),
  anchor: z.enum(ANCHORS).default("center").describe(
    "Where the window sits: center (TorchIO CropOrPad: an odd difference crops or pads the extra voxel at the start), start (first voxel kept, padding at the end) or end (last voxel kept)",
  ),
  centerOn: z.string().min(1).optional().describe(
    "Centre the window on the centre of mass of this role's nonzero voxels (e.g. label) instead of the anchor, padding where it leaves the volume; an empty role falls back to the anchor with a warning",
  ),
  fill: z.union([z.number(), z.record(z.string(), z.number())]).optional().describe(
    "Pad value in real units: one number for every image role, or per role {image: -1024, label: 0}; default: an image's minimum, 0 for labels",
  ),
}).strict();

type Params = z.output<typeof params>;

/** The pad value the recipe gives one role (real units), if any. */
function givenFill(item: Item, p: Params): number | undefined {
  return typeof p.fill === "number" ? (item.label ? undefined : p.fill) : p.fill?.[item.role];
}

/** The pad value of one role (real units): given, else 0 for labels, the minimum for images. */
function fillOf(item: Item, p: Params): number {
  return givenFill(item, p) ?? (item.label ? 0 : deriveMinimum(item.volume));
}

/** The window origin: centred on `centerOn`'s centre of mass, else at the anchor. */
function originOf(
  items: readonly Item[],
  size: readonly number[],
  p: Params,
  ctx: StepContext,
): { origin: number[]; centre?: number[] | null } {
  const shape = items[0].volume.shape;
  const anchored = () => [0, 1, 2].map((a) => anchoredOrigin(shape[a], size[a], p.anchor));
  if (p.centerOn === undefined) return { origin: anchored() };
  const item = items.find((it) => it.role === p.centerOn);
  if (!item) {
    throw new Error(
      `Cannot centre on role "${p.centerOn}": the subject has roles ${
        items.map((it) => `"${it.role}"`).join(", ")
      }`,
    );
  }
  const centre = centreOfMask(markVoxels(item.volume, (v) => v !== 0), shape);
  if (!centre) {
    ctx.warn(
      `crop-or-pad: role "${item.role}" has no nonzero voxels; window at the ${p.anchor} anchor`,
    );
    return { origin: anchored(), centre: null };
  }
  return { origin: [0, 1, 2].map((a) => centredOrigin(centre[a], size[a])), centre };
}

/**
 * Crops and/or pads every role to a fixed size (TorchIO `CropOrPad`, MONAI
 * `ResizeWithPadOrCrop`), the window placed by `anchor` or centred on a role's centre of mass.
 * Values are copied bit for bit (labels exact, any type, 4D); padding holds `fill` (images:
 * their minimum, labels: 0), stored in the input's type when it fits, else the values move to
 * a type that holds it (images: float, labels: smallest of uint8/int16/int32). The affine is
 * translated so every kept voxel keeps its world position. Record: `origin` (input voxel of the
 * first output voxel), `inputShape`, `shape`, `crop` ({ start, stop }: input box kept),
 * `pad` ({ before, after } voxels per axis), `fill` per role, `centre` with `centerOn`.
 */
export const cropOrPad = defineStep({
  name: "crop-or-pad",
  kind: "spatial",
  summary:
    "Crop and/or pad every role to a fixed size (centred, start, end or on a label's centre of mass)",
  params,
  example: "- step: crop-or-pad\n  size: [128, 128, 128]\n  fill: { image: 0, label: 0 }",
  planVaries: (p) => p.centerOn !== undefined,
  // Only with the default fill (the image's own minimum): a given fill the input's type cannot
  // hold makes values fractional (a dtype reason), which changes what save stores.
  movesValues: (p) => p.fill === undefined,
  plan(grid, p) {
    const size = resolveSize(p.size, grid);
    const origin = [0, 1, 2].map((a) => anchoredOrigin(grid.shape[a], size[a], p.anchor));
    return windowGrid(grid, origin, size);
  },
  apply(subject, p, ctx) {
    requireOneGrid(subject.items, "crop or pad");
    const grid = subject.items[0].volume;
    const size = resolveSize(p.size, grid);
    const { origin, centre } = originOf(subject.items, size, p, ctx);
    const fills: Record<string, number> = {};
    const next = mapItems(subject, (item) => {
      const fill = fillOf(item, p);
      fills[item.role] = fill;
      // The type the values are of: the input's while they are of its kind (SPEC §2, as clip).
      // The default fill (the image's minimum) is one of its values: never a reason by itself.
      const kind = item.dtypeReason === undefined && givenFill(item, p) !== undefined
        ? item.inputDType
        : item.volume.dtype;
      const reason = `crop-or-pad: fill ${fill} is not storable in ${kind}`;
      const dtypeReason = item.dtypeReason ?? reason;
      // A retyped volume holds real values.
      const floats = floatStorageOf({ ...item, dtypeReason }, ctx?.floats, REAL_UNITS);
      const options = { label: item.label, floats, kind };
      const r = windowWithFill(item.volume, origin, size, fill, options);
      if (!(r.retyped || r.unstorable) || item.label) return { ...item, volume: r.volume };
      return { ...item, volume: r.volume, dtypeReason };
    });
    return {
      subject: next,
      record: {
        origin,
        inputShape: [...grid.shape],
        shape: size,
        ...windowEffect(grid.shape, origin, size),
        fill: fills,
        ...(centre === undefined ? {} : { centre }),
      },
    };
  },
});
