import { z } from "zod";
import { defineStep, type Item, type ParamProblem, type PlannedRole } from "../step.ts";
import { requireOneGrid } from "../one_grid.ts";
import { stackVolumes } from "../../volume/stack.ts";

const params = z.object({
  roles: z.array(z.string().min(1)).min(1).refine((r) => new Set(r).size === r.length, {
    message: "Each role may be stacked once",
  }).describe(
    "Roles to combine, in channel order (e.g. [t1, t2, flair]); a 4D role adds all its frames",
  ),
  into: z.string().min(1).optional().describe(
    "Name of the stacked role (default: the first of `roles`); it replaces the stacked roles",
  ),
}).strict();

type Params = z.output<typeof params>;

const target = (p: Params) => p.into ?? p.roles[0];
const quoted = (roles: readonly string[]) => roles.map((r) => `"${r}"`).join(", ");

/**
 * Combines roles of one grid into one multi-channel (4D) role, channels in `roles` order
 * (MONAI `ConcatItemsd`, TorchIO's multi-path `ScalarImage`): stored values copied bit for bit
 * when the roles share type and scaling, else real values in one type holding each exactly
 * (images float32/float64, labels the smallest of uint8/int16/int32). Grids must match (the
 * one-grid check's message); images and labels are never mixed. Every later step handles the
 * channels: spatial steps move all frames alike, clip/normalize compute statistics per channel.
 * Record: `into`, `channels` (role per frame, in order), `frames` per role, `dtype`.
 */
export const stack = defineStep({
  name: "stack",
  kind: "spatial",
  // No `movesValues`: channels of different types set a dtypeReason, which changes what save
  // stores, so float results before a stack stay float64.
  summary: "Combine roles of one grid into one multi-channel (4D) role, channel order recorded",
  params,
  example: "- step: stack\n  roles: [image, t2, flair]\n  into: image",
  plan: (grid) => grid,
  mapRoles(roles, p) {
    const picked = p.roles.map((r) => roles.find((x) => x.role === r));
    if (picked.some((x) => !x)) return [...roles];
    const first = picked[0]!;
    const merged: PlannedRole = { role: target(p), label: first.label, from: first.from };
    return roles.flatMap((x) => (x === first ? [merged] : p.roles.includes(x.role) ? [] : [x]));
  },
  checkRoles(labels, p) {
    const lab = p.roles.filter((r) => labels.includes(r));
    const img = p.roles.filter((r) => !labels.includes(r));
    const problems: ParamProblem[] = [];
    if (lab.length > 0 && img.length > 0) {
      problems.push({
        key: "roles",
        message: `Cannot stack label role(s) ${quoted(lab)} with image role(s) ${
          quoted(img)
        }: stack images and labels separately`,
      });
    }
    return problems;
  },
  apply(subject, p) {
    const into = target(p);
    const items = p.roles.map((role): Item => {
      const item = subject.items.find((it) => it.role === role);
      if (!item) {
        throw new Error(
          `Cannot stack role "${role}": the subject has roles ${
            quoted(subject.items.map((it) => it.role))
          }`,
        );
      }
      return item;
    });
    const labels = items.filter((it) => it.label).map((it) => it.role);
    if (labels.length > 0 && labels.length < items.length) {
      throw new Error(
        `Cannot stack label role(s) ${
          quoted(labels)
        } with image roles: stack images and labels separately`,
      );
    }
    if (!p.roles.includes(into) && subject.items.some((it) => it.role === into)) {
      throw new Error(`Cannot stack into "${into}": the subject already has that role`);
    }
    requireOneGrid(items, `stack ${quoted(p.roles)}`);
    const label = labels.length > 0;
    const { volume, converted } = stackVolumes(items.map((it) => it.volume), { label });
    const [first] = items;
    const sameInput = items.every((it) =>
      it.inputDType === first.inputDType && it.inputSlope === first.inputSlope &&
      it.inputInter === first.inputInter
    );
    // SPEC §2 auto type: values of channels of different kinds are never rounded into one
    // channel's input type.
    const inputs = items.map((it) => `${it.role} ${it.inputDType}`).join(", ");
    const reason = items.find((it) => it.dtypeReason)?.dtypeReason ??
      (converted || !sameInput
        ? `stack: channels from different types (${inputs}) kept as ${volume.dtype}`
        : undefined);
    const keepsInput = sameInput && !converted;
    const merged: Item = {
      role: into,
      label,
      volume,
      inputDType: keepsInput ? first.inputDType : volume.dtype,
      ...(keepsInput ? { inputSlope: first.inputSlope, inputInter: first.inputInter } : {}),
      ...(reason !== undefined && !label ? { dtypeReason: reason } : {}),
      sourcePath: first.sourcePath,
    };
    const out = subject.items.flatMap((it) =>
      it === first ? [merged] : p.roles.includes(it.role) ? [] : [it]
    );
    return {
      subject: { ...subject, items: out },
      record: {
        into,
        channels: items.flatMap((it) => Array.from({ length: it.volume.frames }, () => it.role)),
        frames: Object.fromEntries(items.map((it) => [it.role, it.volume.frames])),
        dtype: volume.dtype,
      },
    };
  },
});
