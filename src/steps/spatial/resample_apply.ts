/**
 * The shared apply/plan of resample-to-size and resample-to-spacing: every
 * role of the subject is resampled onto the grid derived from its own geometry;
 * labels always with nearest and never anti-aliased (SPEC §3).
 */
import type { StepContext, StepRecord, StepResult, Subject } from "../step.ts";
import { mapItems } from "../step.ts";
import {
  deriveResampleGrid,
  type Grid,
  type GridKind,
  type GridRequest,
} from "../../volume/grid.ts";
import type { Interpolation } from "../../volume/interpolate.ts";
import { resampleVolume } from "../../volume/resample.ts";
import { columnNorms } from "../../volume/affine.ts";
import { nanSpreadWarning } from "../../volume/nan.ts";

/** Params both resample steps share after zod parsing. */
export interface ResampleParams {
  readonly grid: GridKind;
  readonly interpolation: Interpolation;
  readonly antialias: boolean;
  readonly fill: number;
}

/** Output grid of a resampling. */
export function planResample(input: Grid, request: GridRequest): Grid {
  const grid = deriveResampleGrid(input.shape, input.affine, request);
  return { shape: grid.shape, affine: grid.affine };
}

/** Resamples every item; records per role the interpolation used, output shape and spacing. */
export function applyResample(
  subject: Subject,
  request: GridRequest,
  params: ResampleParams,
  ctx?: StepContext,
): StepResult {
  const roles: Record<string, StepRecord> = {};
  const next = mapItems(subject, (item) => {
    const interpolation: Interpolation = item.label ? "nearest" : params.interpolation;
    const antialias = !item.label && params.antialias;
    const grid = deriveResampleGrid(item.volume.shape, item.volume.affine, request);
    const volume = resampleVolume(item.volume, grid, {
      interpolation,
      antialias,
      fill: params.fill,
    });
    // SPEC §3: the B-spline prefilter and Gaussian smoothing spread NaN along whole lines.
    const smoothed = antialias && grid.axes.some((a) => a.r > 1);
    const spread = interpolation === "bspline"
      ? "the B-spline prefilter"
      : smoothed
      ? "antialias smoothing"
      : "";
    const warning = spread && nanSpreadWarning(item.volume, item.role, spread);
    if (warning) ctx?.warn(warning);
    roles[item.role] = {
      interpolation,
      antialias,
      inputShape: [...item.volume.shape],
      shape: [...grid.shape],
      spacing: columnNorms(grid.affine),
    };
    return { ...item, volume };
  });
  return { subject: next, record: { grid: params.grid, fill: params.fill, roles } };
}
