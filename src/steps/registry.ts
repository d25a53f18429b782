import type { StepDefinition } from "./step.ts";
import { load } from "./io/load.ts";
import { save } from "./io/save.ts";
import { resampleToSize } from "./spatial/resample_to_size.ts";
import { resampleToSpacing } from "./spatial/resample_to_spacing.ts";
import { resampleToReference } from "./spatial/resample_to_reference.ts";
import { clip } from "./intensity/clip.ts";
import { normalize } from "./intensity/normalize.ts";
import { augment } from "./augment/augment.ts";
import { reorient } from "./spatial/reorient.ts";
import { cropForeground } from "./spatial/crop_foreground.ts";
import { cropOrPad } from "./spatial/crop_or_pad.ts";
import { relabel } from "./label/relabel.ts";
import { stack } from "./roles/stack.ts";

/** Every step medprep knows, in the order `steps` lists them. */
export const STEPS: readonly StepDefinition[] = [
  load,
  reorient,
  cropForeground,
  cropOrPad,
  stack,
  resampleToSize,
  resampleToSpacing,
  resampleToReference,
  clip,
  normalize,
  relabel,
  augment,
  save,
] as unknown as readonly StepDefinition[];

/** The step called `name`, or undefined. */
export function findStep(name: string): StepDefinition | undefined {
  return STEPS.find((s) => s.name === name);
}
