import type { Affine } from "../../../src/volume/affine.ts";
import type { DType } from "../../../src/volume/dtype.ts";
import type {
  Item,
  StepContext,
  StepRecord,
  StepResult,
  Subject,
} from "../../../src/steps/step.ts";
import { augment } from "../../../src/steps/augment/augment.ts";
import { makeVolume } from "../../_volumes.ts";

/** A subject with an image (fn) and a label (lab) on one grid. */
export function makeSubject(options: {
  shape?: [number, number, number];
  affine?: Affine;
  image?: (i: number, j: number, k: number) => number;
  label?: (i: number, j: number, k: number) => number;
  imageDType?: DType;
  labelDType?: DType;
  frames?: number;
}): Subject {
  const base = {
    shape: options.shape ?? [9, 10, 11] as [number, number, number],
    affine: options.affine,
  };
  const image = makeVolume({
    ...base,
    frames: options.frames,
    dtype: options.imageDType ?? "float32",
    fn: options.image ?? ((i, j, k) => Math.sin(i * 0.7) * 50 + j * 3 - k * k),
  });
  const label = makeVolume({
    ...base,
    dtype: options.labelDType ?? "uint8",
    fn: options.label ?? ((i, j, k) => (i > 2 && i < 6 && j > 3 && k < 7 ? (j > 6 ? 2 : 1) : 0)),
  });
  const items: Item[] = [
    {
      role: "image",
      label: false,
      volume: image,
      inputDType: image.dtype,
      sourcePath: "image.nii",
    },
    { role: "label", label: true, volume: label, inputDType: label.dtype, sourcePath: "label.nii" },
  ];
  return { id: "s1", copy: 0, items };
}

/** A step context with `seed` (and a replay record). */
export function context(seed: number, replay?: StepRecord, copy = 0): StepContext {
  return { subjectId: "s1", stepIndex: 1, copy, seed, replay, warn() {} };
}

/** Validates `raw` params with the step schema and applies augment. */
export function runAugment(
  subject: Subject,
  raw: unknown,
  seed = 1,
  replay?: StepRecord,
): StepResult {
  const params = augment.params.parse(raw);
  return augment.apply!(subject, params, context(seed, replay));
}

/** The item of `role`. */
export function role(subject: Subject, name: string): Item {
  return subject.items.find((it) => it.role === name)!;
}
