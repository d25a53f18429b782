import type { Item, StepContext, Subject } from "../../../src/steps/step.ts";
import type { Volume } from "../../../src/volume/volume.ts";
import { makeVolume } from "../../_volumes.ts";

/** A subject with an `image` item and a uint8 `label` item (labels 0..2). */
export function makeSubject(image: Volume): Subject {
  const label = makeVolume({ dtype: "uint8", fn: (i, j) => (i + j) % 3 });
  const items: Item[] = [
    { role: "image", label: false, volume: image, inputDType: image.dtype, sourcePath: "a.nii" },
    { role: "label", label: true, volume: label, inputDType: "uint8", sourcePath: "b.nii" },
  ];
  return { id: "s1", copy: 0, items };
}

/** A step context that collects warnings. */
export function makeContext(): StepContext & { warnings: string[] } {
  const warnings: string[] = [];
  return {
    subjectId: "s1",
    stepIndex: 1,
    copy: 0,
    seed: 1,
    warnings,
    warn: (m: string) => void warnings.push(m),
  };
}

/** The item of `role`. */
export function itemOf(subject: Subject, role: string): Item {
  const it = subject.items.find((i) => i.role === role);
  if (!it) throw new Error(`no item ${role}`);
  return it;
}
