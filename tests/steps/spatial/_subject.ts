import type { Item, StepContext, Subject } from "../../../src/steps/step.ts";
import type { Volume } from "../../../src/volume/volume.ts";

/** A subject with the given role → volume items (roles named `label*` are label maps). */
export function makeSubject(items: Record<string, Volume>): Subject {
  return {
    id: "sub-01",
    copy: 0,
    items: Object.entries(items).map(([role, volume]): Item => ({
      role,
      label: role.startsWith("label"),
      volume,
      inputDType: volume.dtype,
      sourcePath: `/data/${role}.nii.gz`,
    })),
  };
}

/** A step context that collects warnings. */
export function makeContext(warnings: string[] = []): StepContext {
  return {
    subjectId: "sub-01",
    stepIndex: 1,
    copy: 0,
    seed: 1,
    warn: (m) => warnings.push(m),
  };
}
