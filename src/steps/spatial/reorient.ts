import { z } from "zod";
import { defineStep, mapItems, type StepRecord } from "../step.ts";
import { parseOrientation, reorientGrid, reorientVolume } from "../../volume/orientation.ts";

const params = z.object({
  to: z.string().default("RAS").refine((c) => typeof parseOrientation(c) !== "string", {
    message: "Give a three-letter orientation code, one of R/L, A/P, S/I each (e.g. RAS, LPS, PIR)",
  }).describe(
    "Orientation code the voxel axes should point to: RAS (nibabel as_closest_canonical), LPS (ITK/DICOM), or any three letters with one of R/L, A/P, S/I each",
  ),
}).strict().prefault({});

/**
 * Permutes and flips voxel axes so that they point to `to` (default RAS), as nibabel's
 * `as_closest_canonical` / `io_orientation` + `apply_orientation` do: no interpolation, values
 * and storage type bit-identical, every frame of a 4D volume, labels exact; the affine follows
 * so that every voxel keeps its world position (oblique and sheared grids keep their
 * obliquity: only the closest axis directions change). Record per role: `from` and `to` codes,
 * `order` (output axis d = input axis order[d]), `flip` (output axes reversed after the
 * permutation) and `inputShape` — enough to undo it.
 */
export const reorient = defineStep({
  name: "reorient",
  kind: "spatial",
  movesValues: () => true,
  summary: "Permute and flip voxel axes to an orientation code (RAS, LPS, …), no interpolation",
  params,
  example: "- step: reorient\n  to: RAS",
  plan(grid, p) {
    return reorientGrid(grid, p.to);
  },
  apply(subject, p) {
    const roles: Record<string, StepRecord> = {};
    const next = mapItems(subject, (item) => {
      const { volume, how } = reorientVolume(item.volume, p.to);
      roles[item.role] = {
        from: how.from,
        to: how.to,
        order: [...how.order],
        flip: [...how.flip],
        inputShape: [...item.volume.shape],
      };
      return volume === item.volume ? item : { ...item, volume };
    });
    return { subject: next, record: { roles } };
  },
});
