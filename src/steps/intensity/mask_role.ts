/**
 * The `mask` param of clip and normalize (SPEC §4): `all`, `nonzero`, or a role of the subject
 * (a brain mask, a label map) whose nonzero voxels the statistics are computed over. The mask
 * role must be on the image's grid (else the subject fails, naming both grids).
 */
import { z } from "zod";
import type { Item, Subject } from "../step.ts";
import { describeGrid, gridMismatch } from "../../volume/grid_match.ts";
import { maskSelection, selectVoxels, type VoxelMask } from "../../volume/stats.ts";
import type { Volume } from "../../volume/volume.ts";

/** `all`, `nonzero` or a role name. */
export type MaskParam = string;

/** The schema of `mask` (describe it at the step). */
export const maskParam = z.union([z.enum(["all", "nonzero"]), z.string().min(1)]).default("all");

/** Whether `mask` names a role (not `all` / `nonzero`). */
export function isMaskRole(mask: MaskParam): boolean {
  return mask !== "all" && mask !== "nonzero";
}

/**
 * The mask role's item of the subject as the step receives it (before the step changes any
 * image), keyed by role; empty for `all` / `nonzero`.
 * @throws Error when the subject has no such role
 */
export function masksOf(subject: Subject, mask: MaskParam): Map<string, Item> {
  if (!isMaskRole(mask)) return new Map();
  const item = subject.items.find((it) => it.role === mask);
  if (!item) {
    const have = subject.items.map((it) => it.role).join(", ");
    throw new Error(`Cannot use role "${mask}" as a mask: the subject has no such role (${have})`);
  }
  return new Map([[mask, item]]);
}

/** What one frame's statistics are computed over. */
export interface FrameMask {
  /** The volume to compute over (the voxels a role mask selects, as a one-line volume). */
  volume: Volume;
  frame: number;
  mask: VoxelMask;
  /** For a role mask: 1 where the role is nonzero, per voxel of the frame. */
  selection?: Uint8Array;
}

/**
 * Frame `frame` of `item` restricted as `mask` says.
 * @throws Error when the mask role is not on the image's grid, or has another number of frames
 */
export function maskOf(
  item: Item,
  frame: number,
  mask: MaskParam,
  masks: ReadonlyMap<string, Item>,
): FrameMask {
  const selection = roleSelectionOf(item, frame, mask, masks);
  if (!selection) return { volume: item.volume, frame, mask: mask as VoxelMask };
  return { volume: selectVoxels(item.volume, frame, selection), frame: 0, mask: "all", selection };
}

/**
 * For a mask role: 1 where the role is nonzero, per voxel of frame `frame` of `item` (never
 * reading `item`'s voxels); undefined for `all` / `nonzero`.
 * @throws Error when the mask role is not on the image's grid, or has another number of frames
 */
export function roleSelectionOf(
  item: Item,
  frame: number,
  mask: MaskParam,
  masks: ReadonlyMap<string, Item>,
): Uint8Array | undefined {
  if (!isMaskRole(mask)) return undefined;
  const m = masks.get(mask)!;
  const why = gridMismatch(item.volume, m.volume);
  if (why) {
    throw new Error(
      `Cannot use role "${mask}" as the mask of role "${item.role}": they are not on one grid ` +
        `(${why}): ${item.role} ${describeGrid(item.volume)}; ${mask} ${
          describeGrid(m.volume)
        }; put the mask onto the image's grid first (resample-to-reference)`,
    );
  }
  return maskSelection(m.volume, frame, item.volume.frames);
}
