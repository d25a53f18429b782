import { z } from "zod";
import { defineStep, type Item } from "../step.ts";
import { applyNanPolicy, NAN_POLICIES } from "../../volume/nan.ts";
import { parseWhere, WhereSyntaxError } from "../../manifest/where.ts";

const where = z.string().superRefine((text, ctx) => {
  try {
    parseWhere(text);
  } catch (e) {
    if (!(e instanceof WhereSyntaxError)) throw e;
    ctx.addIssue({ code: "custom", message: `${e.message} (character ${e.col} of "${text}")` });
  }
});

const params = z.object({
  labels: z.array(z.string().min(1)).default(["label"]).describe(
    "Roles (manifest columns) holding label maps: never interpolated, never cast to float",
  ),
  roles: z.array(z.string().min(1)).optional().describe(
    "Roles to read (default: every path column of the manifest)",
  ),
  where: z.union([where, z.array(where).min(1)]).optional().describe(
    "Only subjects whose metadata match: `col=value`, `col!=value`, `col in a,b`, `col not in a,b` (a list: all must hold); never evaluated as code",
  ),
  nan: z.enum(NAN_POLICIES).default("keep").describe(
    "NaN voxels: keep (B-spline and Gaussian smoothing then spread them, with a warning), zero (replace by 0, counted in provenance) or error (the subject fails)",
  ),
}).strict();

/** Reads a subject's files, one volume per role. */
export const load = defineStep({
  name: "load",
  kind: "source",
  summary: "Read each manifest role of a subject as a NIfTI volume",
  params,
  example: "- step: load\n  labels: [label]",
  produces: () => "input",
  roles: ({ roles, labels, where }) => ({
    roles,
    labels,
    ...(where === undefined ? {} : { where: typeof where === "string" ? [where] : where }),
  }),
  read(input, { roles, labels, nan }, io) {
    const selected = roles ?? Object.keys(input.paths).filter((r) => input.paths[r]);
    const items: Item[] = selected.map((role) => {
      const path = input.paths[role];
      if (!path) throw new Error(`Cannot load role "${role}": the manifest row has no file for it`);
      const volume = io.read(path);
      const nanReplaced = applyNanPolicy(volume, nan, `role "${role}" from "${path}"`);
      return {
        ...(nanReplaced > 0 ? { nanReplaced } : {}),
        role,
        label: labels.includes(role),
        volume,
        inputDType: volume.dtype,
        inputSlope: volume.slope,
        inputInter: volume.inter,
        sourcePath: path,
        inputShape: volume.shape,
      };
    });
    return { id: input.id, copy: 0, items };
  },
});
