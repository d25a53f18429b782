/**
 * `medprep steps NAME` for the augmentation transforms (`steps flip`, `steps elastic`): the same
 * params text as a step (type, default, range, description from the transform's zod schema),
 * the transform's kind, and an example inside an `augment` step.
 */
import { TRANSFORMS } from "../steps/augment/augment.ts";
import type { AugmentTransform } from "../steps/augment/augment_transform.ts";

/** One example entry per transform (a test validates each inside an augment step). */
export const TRANSFORM_EXAMPLES: Readonly<Record<string, string>> = {
  "flip": "- flip: { axes: [0, 1], p: 0.5 }",
  "affine": "- affine: { rotate: [-10, 10], scale: 0.1, translate: 5, p: 0.8 }",
  "elastic": "- elastic: { maxDisplacement: 7.5, controlPoints: 7, p: 0.3 }",
  "crop": "- crop: { size: [96, 96, null], mode: foreground, labels: [1] }",
  "crop-or-pad": "- crop-or-pad: { size: [128, 128, 64] }",
  "noise": "- noise: { std: [0, 0.1], p: 0.5 }",
  "gamma": "- gamma: { logGamma: 0.3, p: 0.5 }",
  "scale-shift": "- scale-shift: { scale: 0.1, shift: 0.1 }",
  "blur": "- blur: { std: [0, 1], p: 0.2 }",
  "bias-field": "- bias-field: { coefficients: 0.5, order: 3, p: 0.3 }",
};

/** The augmentation transform called `name`, if any. */
export function findTransform(name: string): AugmentTransform | undefined {
  return TRANSFORMS.find((t) => t.name === name);
}

/** The whole example: the transform's entry inside an `augment` step. */
export function transformExample(t: AugmentTransform): string {
  const entry = TRANSFORM_EXAMPLES[t.name] ?? `- ${t.name}: {}`;
  return `- step: augment\n  copies: 2\n  transforms:\n    ${entry}`;
}

/** The heading of the transform list in `medprep steps`. */
export const TRANSFORMS_TITLE =
  'Augment transforms (entries of "- step: augment" transforms; `medprep steps NAME`):';

/** One line per transform: name, kind and summary, aligned. */
export function renderTransformList(): string {
  const w = Math.max(...TRANSFORMS.map((t) => t.name.length));
  return TRANSFORMS.map((t) => `  ${t.name.padEnd(w)}  ${t.kind.padEnd(9)}  ${t.summary}`)
    .join("\n");
}
