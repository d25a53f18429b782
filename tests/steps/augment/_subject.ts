import type { Affine } from "../../../src/volume/affine.ts";
import type { DType } from "../../../src/volume/dtype.ts";
import type { StepRecord, StepResult, Subject } from "../../../src/steps/step.ts";
import { augment } from "../../../src/steps/augment/augment.ts";
import { makeContext, makeSubject, makeVolume } from "../../_volumes.ts";

/** Volumes of an augment test: an image (fn) and a label (lab) on one grid, as one subject. */
export function pairedSubject(options: {
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
  return makeSubject({ image, label });
}

/** Validates `raw` params with the step schema and applies augment. */
export function runAugment(
  subject: Subject,
  raw: unknown,
  seed = 1,
  replay?: StepRecord,
): StepResult {
  const params = augment.params.parse(raw);
  return augment.apply!(subject, params, makeContext({ seed, replay }));
}
