/**
 * The recipe a dataset fingerprint suggests, as YAML that `medprep validate` accepts, with every
 * number written out (so the recipe is reproducible without the statistics, as nnU-Net's plans
 * file is):
 * - target spacing: per-axis median of the image spacings, with nnU-Net's anisotropy rule
 *   (`nnunet-anisotropy`: when the coarsest median axis is more than 3× the largest other one
 *   and its median size × 3 is below the smallest other median size, it takes the 10th
 *   percentile of that axis's spacings, at least the largest other spacing + 1e-5);
 * - normalization: CT (nnU-Net's CTNormalization: clip to the foreground's 0.5/99.5
 *   percentiles, then (v − mean) / std with the foreground's mean and std, written as a linear
 *   `window` from [mean, mean + std] to [0, 1] without clamping) when the image looks like CT
 *   (integer values reaching −500 or below, i.e. air in HU) or `--modality ct`; else MR: z-score
 *   per volume over nonzero voxels (nnU-Net's ZScoreNormalization);
 * - crop: `crop-foreground` first when that step exists (the recipe validates with it).
 */
import { RecipeError } from "../errors.ts";
import { validateRecipePlan } from "../recipe/validate.ts";
import type { DatasetFingerprint, IntensityStats } from "./fingerprint_dataset.ts";

/** What the suggestion chose and why (also in the YAML's comments). */
export interface Suggestion {
  yaml: string;
  targetSpacing: [number, number, number];
  /** The axis the nnU-Net anisotropy rule changed, if any. */
  anisotropicAxis: number | null;
  modality: "ct" | "mr";
}

/** numpy `percentile(values, q)` ('linear'). */
function percentileOf(values: readonly number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  const virtual = (s.length - 1) * (q / 100);
  const lo = Math.floor(virtual), hi = Math.min(s.length - 1, lo + 1);
  const gamma = virtual - lo, diff = s[hi] - s[lo];
  return gamma >= 0.5 ? s[hi] - diff * (1 - gamma) : s[lo] + diff * gamma;
}

/** nnU-Net's `determine_fullres_target_spacing` on per-subject spacings and shapes. */
export function targetSpacingOf(
  spacings: readonly (readonly number[])[],
  shapes: readonly (readonly number[])[],
): { spacing: [number, number, number]; anisotropicAxis: number | null } {
  const target = [0, 1, 2].map((a) => percentileOf(spacings.map((s) => s[a]), 50));
  const size = [0, 1, 2].map((a) => percentileOf(shapes.map((s) => s[a]), 50));
  const worst = target.indexOf(Math.max(...target));
  const others = [0, 1, 2].filter((a) => a !== worst);
  const otherSpacing = Math.max(...others.map((a) => target[a]));
  const otherSize = Math.min(...others.map((a) => size[a]));
  let anisotropicAxis: number | null = null;
  if (target[worst] > 3 * otherSpacing && size[worst] * 3 < otherSize) {
    let t = percentileOf(spacings.map((s) => s[worst]), 10);
    if (t < otherSpacing) t = Math.max(otherSpacing, t) + 1e-5;
    target[worst] = t;
    anisotropicAxis = worst;
  }
  return { spacing: target as [number, number, number], anisotropicAxis };
}

const num = (v: number) => String(v);
const list = (values: readonly (string | number)[]) =>
  `[${values.map((v) => typeof v === "number" ? num(v) : JSON.stringify(v)).join(", ")}]`;

function looksLikeCt(s: IntensityStats | null | undefined): boolean {
  return !!s && s.exact && s.min <= -500;
}

/**
 * The suggested recipe for `fp` (see the module comment).
 * @throws Error when the generated recipe does not validate (a bug)
 */
export function suggestRecipe(
  fp: DatasetFingerprint,
  options: { name: string; source: string; modality?: "ct" | "mr" | "auto" },
): Suggestion {
  try {
    return suggestWith(fp, options, true);
  } catch (e) {
    if (!(e instanceof RecipeError)) throw e;
    return suggestWith(fp, options, false); // no crop-foreground step (or other defaults)
  }
}

function suggestWith(
  fp: DatasetFingerprint,
  options: { name: string; source: string; modality?: "ct" | "mr" | "auto" },
  withCrop: boolean,
): Suggestion {
  const images = fp.roles.filter((r) => !r.label);
  const labels = fp.roles.filter((r) => r.label).map((r) => r.role);
  const { spacing, anisotropicAxis } = fp.imageSpacings.length
    ? targetSpacingOf(fp.imageSpacings, fp.imageShapes)
    : { spacing: [1, 1, 1] as [number, number, number], anisotropicAxis: null };
  const first = images[0]?.intensity;
  const stats = first?.foreground ?? first?.all ?? null;
  const modality = options.modality === "ct" || options.modality === "mr"
    ? options.modality
    : images.length === 1 && looksLikeCt(first?.all)
    ? "ct"
    : "mr";
  const axes = ["x", "y", "z"];
  const comments = [
    `# Suggested by medprep fingerprint from ${fp.subjects} subject(s) of ${options.source}.`,
    `# Target spacing: per-axis median of the ${images[0]?.role ?? "image"} spacings${
      anisotropicAxis === null
        ? ""
        : `; nnU-Net anisotropy rule on axis ${axes[anisotropicAxis]}: its 10th percentile instead`
    }.`,
  ];
  const steps: string[][] = [[
    "  - step: load",
    `    labels: ${list(labels)}`,
  ]];
  if (withCrop) {
    comments.push("# Crop: to the foreground first (as nnU-Net crops to the nonzero region).");
    steps.push(["  - step: crop-foreground"]);
  }
  steps.push([
    "  - step: resample-to-spacing",
    `    spacing: ${list(spacing)}`,
    "    interpolation: bspline",
  ]);
  if (modality === "ct" && stats) {
    const where = first?.foreground ? "foreground" : "all voxels (no label role)";
    comments.push(
      `# Normalization: CT (nnU-Net): clip to the 0.5/99.5 percentiles of the ${where} over the dataset,`,
      `# then (v - ${num(stats.mean)}) / ${
        num(stats.std)
      } (${where} mean and std) as a linear window.`,
    );
    steps.push([
      "  - step: clip",
      `    min: ${num(stats.percentile00_5)}`,
      `    max: ${num(stats.percentile99_5)}`,
    ]);
    if (stats.std > 0) {
      steps.push([
        "  - step: normalize",
        "    method: window",
        `    from: ${list([stats.mean, stats.mean + stats.std])}`,
        "    to: [0, 1]",
        "    clip: false",
      ]);
    }
  } else {
    comments.push("# Normalization: MR (nnU-Net): z-score of each volume over its nonzero voxels.");
    steps.push(["  - step: normalize", "    method: zscore", "    mask: nonzero"]);
  }
  steps.push(["  - step: save", '    name: "{id}_{role}.nii.gz"']);
  const yaml = [
    ...comments,
    "version: 1",
    `name: ${JSON.stringify(options.name)}`,
    "steps:",
    ...steps.flat(),
    "",
  ].join("\n");
  validateRecipePlan(yaml, "suggested.yaml");
  return { yaml, targetSpacing: spacing, anisotropicAxis, modality };
}
