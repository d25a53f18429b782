import { z } from "zod";
import { defineStep, type Item, type ParamProblem } from "../step.ts";
import { relabelVolume } from "../../volume/relabel.ts";
import { withoutCalibration } from "../../volume/volume.ts";

const labelValue = z.number().int().min(-2147483648).max(2147483647);

const params = z.object({
  roles: z.array(z.string().min(1)).min(1).optional().describe(
    "Label roles to relabel (default: every label role of `load`); image roles are an error",
  ),
  map: z.record(z.string(), labelValue).refine(
    (m) => Object.keys(m).every((k) => /^-?\d+$/.test(k) && Math.abs(Number(k)) < 2 ** 31),
    { message: "Map keys must be integer label values, e.g. {4: 3}" },
  ).optional().describe(
    "Value → new value, e.g. {1: 1, 2: 1, 3: 0} or {4: 3} (BraTS); values not listed are kept",
  ),
  keep: z.array(labelValue).min(1).optional().describe(
    "Values kept after `map`; every other value becomes 0 (background)",
  ),
  consecutive: z.boolean().default(false).describe(
    "After map/keep, renumber the nonzero values present to 1, 2, … in increasing order (0 stays 0)",
  ),
}).strict().refine((p) => p.map !== undefined || p.keep !== undefined || p.consecutive, {
  message: "Give map, keep and/or consecutive: true",
});

type Params = z.output<typeof params>;

/** The label roles this step relabels: `roles`, else every label role. */
function selected(item: Item, p: Params): boolean {
  return item.label && (p.roles === undefined || p.roles.includes(item.role));
}

/**
 * Maps label values, integer-exact: `map` first (values not listed are kept), then `keep` (other
 * values → 0), then `consecutive` (nonzero values present → 1…K in order). Label roles only; the
 * result is stored in the smallest of uint8/int16/int32 that holds it; a label voxel that is not
 * an integer fails the subject. Record per role: `mapping` (every value present → its new value,
 * enough to undo an injective map), `dtype`.
 */
export const relabel = defineStep({
  name: "relabel",
  kind: "label",
  // Label values only: images pass through untouched.
  movesValues: () => true,
  summary: "Map label values (map, keep, consecutive), integer-exact; values not mapped are kept",
  params,
  example: "- step: relabel\n  map: { 2: 1 }",
  checkRoles(labels, p) {
    const problems: ParamProblem[] = [];
    if (labels.length === 0) {
      problems.push({
        key: "step",
        message: "Cannot relabel: the recipe has no label roles (name them in load `labels`)",
      });
    }
    for (const role of p.roles ?? []) {
      if (labels.includes(role)) continue;
      problems.push({
        key: "roles",
        message: `Cannot relabel role "${role}": it is not a label role (labels: ${
          labels.join(", ") || "none"
        })`,
      });
    }
    return problems;
  },
  apply(subject, p) {
    for (const role of p.roles ?? []) {
      const item = subject.items.find((it) => it.role === role);
      if (!item) throw new Error(`Cannot relabel role "${role}": the subject has no such role`);
      if (!item.label) throw new Error(`Cannot relabel role "${role}": it is not a label role`);
    }
    const map = new Map(Object.entries(p.map ?? {}).map(([k, v]) => [Number(k), v]));
    const keep = p.keep ? new Set(p.keep) : undefined;
    const roles: Record<string, unknown> = {};
    const items = subject.items.map((item) => {
      if (!selected(item, p)) return item;
      const r = relabelVolume(item.volume, { map, keep, consecutive: p.consecutive }, item.role);
      roles[item.role] = { mapping: Object.fromEntries(r.mapping), dtype: r.volume.dtype };
      return { ...item, volume: withoutCalibration(r.volume) };
    });
    return { subject: { ...subject, items }, record: { roles } };
  },
});
