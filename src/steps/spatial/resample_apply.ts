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
import { resampleDeferred, resampleForSave, resampleVolume } from "../../volume/resample.ts";
import { directSaveType, floatStorageOf } from "../../volume/encode.ts";
import { columnNorms } from "../../volume/affine.ts";
import { nanSpreadWarning } from "../../volume/nan.ts";

/** Params both resample steps share after zod parsing. */
export interface ResampleParams {
  readonly grid: GridKind;
  readonly interpolation: Interpolation;
  readonly antialias: boolean;
  readonly fill: number;
}

/**
 * Whether a resampling with these params only moves image values (nearest, no smoothing, a
 * whole-number fill): float results before it may then stay float32 (`StepBase.movesValues`).
 */
export function resampleMovesValues(params: {
  interpolation: Interpolation;
  antialias?: boolean;
  fill: number;
}): boolean {
  return params.interpolation === "nearest" && params.antialias !== true &&
    Number.isInteger(params.fill);
}

/**
 * Whether a resampling with these params (of an image) may return its float results deferred
 * when the next step reads them (`StepContext.defer`, issue 15): linear without anti-aliasing,
 * whose z pass streams plane by plane (a B-spline prefilter or smoothing needs the whole
 * in-plane stack on every read). It then does unless the result fits in the consumed input's
 * bytes (`resampleDeferred`).
 */
export function resampleDefers(params: { interpolation: Interpolation; antialias?: boolean }) {
  return params.interpolation === "linear" && params.antialias !== true;
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
  const save = ctx?.save;
  const next = mapItems(subject, (item) => {
    const interpolation: Interpolation = item.label ? "nearest" : params.interpolation;
    const antialias = !item.label && params.antialias;
    const grid = deriveResampleGrid(item.volume.shape, item.volume.affine, request);
    const defer = ctx?.defer === true && resampleDefers({ interpolation, antialias });
    // The input's memory may take the result when nothing reads it afterwards (issue 15);
    // then holding it costs nothing and it is not deferred (resampleDeferred).
    const consumeInput = ctx?.owns?.(item.volume) ?? false;
    const floats = floatStorageOf(item, ctx?.floats);
    const options = { interpolation, antialias, fill: params.fill, consumeInput, floats };
    // SPEC §3: the B-spline prefilter and Gaussian smoothing spread NaN along whole lines
    // (counted before resampling: a consumed input is overwritten by it).
    const smoothed = antialias && grid.axes.some((a) => a.r > 1);
    const spread = interpolation === "bspline"
      ? "the B-spline prefilter"
      : smoothed
      ? "antialias smoothing"
      : "";
    const warning = spread && nanSpreadWarning(item.volume, item.role, spread);
    const inputShape = [...item.volume.shape];
    // Right before the sink: rounded into the stored type now, never held as float (SPEC §2).
    const dtype = save && directSaveType(item, save);
    const rounded = save && dtype
      ? resampleForSave(item.volume, grid, options, { dtype, rounding: save.rounding })
      : undefined;
    const deferred = defer && !rounded ? resampleDeferred(item.volume, grid, options) : undefined;
    const volume = rounded?.volume ?? deferred?.volume ??
      resampleVolume(item.volume, grid, options);
    if (warning) ctx?.warn(warning);
    roles[item.role] = {
      interpolation,
      antialias,
      inputShape,
      shape: [...grid.shape],
      spacing: columnNorms(grid.affine),
    };
    if (deferred) return { ...item, volume, deferred: deferred.deferred };
    if (!rounded || !save) return { ...item, volume };
    const { clamped, nan, between } = rounded;
    const saveEncoded = { dtype: volume.dtype, rounding: save.rounding, clamped, nan, between };
    return { ...item, volume, saveEncoded };
  });
  return { subject: next, record: { grid: params.grid, fill: params.fill, roles } };
}
