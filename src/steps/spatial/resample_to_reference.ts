import { isAbsolute, resolve } from "node:path";
import { z } from "zod";
import { defineStep, type Item, type StepContext, type StepRecord } from "../step.ts";
import { type Interpolation, INTERPOLATIONS } from "../../volume/interpolate.ts";
import type { Grid } from "../../volume/grid.ts";
import { describeGrid, gridMismatch } from "../../volume/grid_match.ts";
import { resampleOnto } from "../../volume/resample_onto.ts";
import { floatStorageOf, REAL_UNITS } from "../../volume/encode.ts";
import { resampleMovesValues } from "./resample_apply.ts";
import { columnNorms } from "../../volume/affine.ts";
import { nanSpreadWarning } from "../../volume/nan.ts";

const params = z.object({
  onto: z.string().min(1).optional().describe(
    "Role of the subject whose grid the other roles are resampled onto (e.g. image: put a label map or a PET onto the CT); a manifest column holding a per-subject reference file works the same way (add dropOnto: true to use it only as a grid)",
  ),
  reference: z.string().min(1).optional().describe(
    "NIfTI file whose grid every role is resampled onto, relative to the recipe file; its sha256 and grid are recorded in provenance",
  ),
  roles: z.array(z.string().min(1)).min(1).optional().describe(
    "Roles to resample (default: every role, except onto); any other role must already be on the target grid",
  ),
  dropOnto: z.boolean().default(false).describe(
    "Remove the onto role after this step: a column used only as a grid is then never saved",
  ),
  interpolation: z.enum(INTERPOLATIONS).default("linear").describe(
    "Interpolator for image roles (labels always use nearest): nearest, linear (trilinear) or bspline (cubic, ITK/scipy order 3)",
  ),
  fill: z.number().default(0).describe(
    "Value of image samples outside the resampled role's field of view (labels get 0)",
  ),
}).strict()
  .refine((p) => (p.onto === undefined) !== (p.reference === undefined), {
    message: "Give exactly one of onto (a role) or reference (a file)",
  })
  .refine((p) => !p.dropOnto || p.onto !== undefined, {
    message: "dropOnto only applies with onto (a role)",
    path: ["dropOnto"],
  })
  .refine((p) => p.onto === undefined || !p.roles?.includes(p.onto), {
    message: "roles must not include the onto role (it is the target grid)",
    path: ["roles"],
  });

type Params = z.output<typeof params>;

/** The target grid: the onto role's, or the reference file's (with what provenance records). */
function targetOf(
  items: readonly Item[],
  p: Params,
  ctx: StepContext | undefined,
): { grid: Grid; record: StepRecord; name: string } {
  if (p.onto !== undefined) {
    const onto = items.find((it) => it.role === p.onto);
    if (!onto) {
      const have = items.map((it) => it.role).join(", ");
      throw new Error(
        `Cannot resample onto role "${p.onto}": the subject has no such role (${have})`,
      );
    }
    return { grid: onto.volume, record: { onto: p.onto }, name: `role "${p.onto}"` };
  }
  const path = p.reference!;
  if (!ctx?.readVolume) throw new Error(`Cannot read reference "${path}": no file access given`);
  const { volume, sha256 } = ctx.readVolume(path);
  const grid = { shape: volume.shape, affine: volume.affine };
  const record = {
    reference: { path, sha256, shape: [...volume.shape], affine: volume.affine.map((r) => [...r]) },
  };
  return { grid, record, name: `reference "${path}"` };
}

/**
 * Resamples roles onto another role's grid (`onto`) or a reference file's grid (`reference`) in
 * world space, through both affines (nibabel `resample_from_to`, TorchIO `Resample(target)`):
 * any direction, flip, permutation or shear; labels with nearest (fill 0); 4D frame by frame.
 * Roles it leaves alone must already be on the target grid (else the subject fails with both
 * grids, as the one-grid check does). Record: the target (`onto`, or `reference` with its
 * sha256 and grid), `fill`, and per resampled role the interpolation, input and output shape.
 */
export const resampleToReference = defineStep({
  name: "resample-to-reference",
  kind: "spatial",
  summary: "Resample roles onto another role's grid or a reference file's grid",
  params,
  example:
    "- step: resample-to-reference\n  onto: image\n  roles: [label]\n  interpolation: linear",
  alignsRoles: true,
  movesValues: resampleMovesValues,
  rolesUsed: (p) => [
    ...(p.onto === undefined ? [] : [{ path: ["onto"], role: p.onto }]),
    ...(p.roles ?? []).map((role, i) => ({ path: ["roles", i], role })),
  ],
  mapRoles: (roles, p) => (p.dropOnto ? roles.filter((r) => r.role !== p.onto) : [...roles]),
  files: (p) => (p.reference === undefined ? [] : [p.reference]),
  resolveFiles: (p, dir) =>
    p.reference === undefined || isAbsolute(p.reference)
      ? p
      : { ...p, reference: resolve(dir, p.reference) },
  apply(subject, p, ctx) {
    const target = targetOf(subject.items, p, ctx);
    const chosen = (it: Item) => p.roles ? p.roles.includes(it.role) : it.role !== p.onto;
    const missing = (p.roles ?? []).filter((r) => !subject.items.some((it) => it.role === r));
    if (missing.length) {
      throw new Error(`Cannot resample role "${missing[0]}": the subject has no such role`);
    }
    const roles: Record<string, StepRecord> = {};
    const items = subject.items.flatMap((item): Item[] => {
      if (p.dropOnto && item.role === p.onto) return [];
      if (!chosen(item)) {
        const why = gridMismatch(item.volume, target.grid);
        if (why && item.role !== p.onto) {
          throw new Error(
            `Cannot leave role "${item.role}" as it is: it is not on the grid of ${target.name} ` +
              `(${why}): ${item.role} ${describeGrid(item.volume)}; target ${
                describeGrid(target.grid)
              }; list it in roles to resample it too`,
          );
        }
        return [item];
      }
      const interpolation: Interpolation = item.label ? "nearest" : p.interpolation;
      const fill = item.label ? 0 : p.fill;
      if (interpolation === "bspline") {
        const warning = nanSpreadWarning(item.volume, item.role, "the B-spline prefilter");
        if (warning) ctx?.warn(warning);
      }
      // Interpolated results are real values (resampleOnto: slope 1, inter 0).
      const floats = floatStorageOf(item, ctx?.floats, REAL_UNITS);
      const volume = resampleOnto(item.volume, target.grid, { interpolation, fill, floats });
      roles[item.role] = {
        interpolation,
        fill,
        inputShape: [...item.volume.shape],
        shape: [...volume.shape],
        spacing: columnNorms(volume.affine),
      };
      return [{ ...item, volume }];
    });
    return {
      subject: { ...subject, items },
      record: { ...target.record, fill: p.fill, ...(p.dropOnto ? { dropped: p.onto } : {}), roles },
    };
  },
});
