import { DTYPE_INFO, dtypeOf, encodeValue, type NumberArray } from "./dtype.ts";
import { prefilterBSpline3 } from "./bspline.ts";
import type { Interpolation } from "./interpolate.ts";
import {
  allFinite,
  bsplineRow,
  linearRow,
  nearestRow,
  type SampleArgs,
  storeRow,
} from "./sample_rows.ts";

/** For every output voxel, the continuous input voxel index it samples, one output row at a time. */
export interface CoordinateMap {
  /** Output grid size [nx, ny, nz]. */
  readonly shape: readonly [number, number, number];
  /** Writes the input index of output voxels (0…nx−1, j, k) into xs, ys, zs. */
  row(j: number, k: number, xs: Float64Array, ys: Float64Array, zs: Float64Array): void;
}

/** Stored values to sample: `frames` 3D volumes of `shape`, x fastest. */
export interface WarpSource {
  readonly data: NumberArray;
  readonly shape: readonly [number, number, number];
  readonly frames: number;
}

/** How `warp` samples and what it writes. */
export interface WarpOptions {
  interpolation: Interpolation;
  /** Output value of samples outside the input's field of view (output units). */
  fill: number;
  /** Output = sampled stored value × slope + inter (default 1 and 0). */
  slope?: number;
  inter?: number;
  /**
   * A float32 `out` holds `float32Keeping` of each sample (only an integer output sees it:
   * `float32-keeping` storage); else the nearest float32.
   */
  keeping?: boolean;
}

/** One source to sample into one output with its options. */
export interface WarpJob {
  readonly source: WarpSource;
  readonly out: NumberArray;
  readonly options: WarpOptions;
}

/**
 * Samples every frame of `source` at the coordinates of `map` into `out`
 * (SPEC §3: fill outside [−0.5, N−0.5], nearest / clamped trilinear / mirrored
 * cubic B-spline); integer outputs are rounded half away from zero and clamped, float32
 * outputs keep the side of every integer and half their float64 value is on.
 */
export function warp(
  source: WarpSource,
  map: CoordinateMap,
  out: NumberArray,
  options: WarpOptions,
): void {
  warpAll([{ source, out, options }], map);
}

/** Like `warp` for several sources on one grid: each row's coordinates are computed once. */
export function warpAll(jobs: readonly WarpJob[], map: CoordinateMap): void {
  const [nx, ny, nz] = map.shape;
  const frameOut = nx * ny * nz;
  const lanes: {
    args: SampleArgs;
    out: NumberArray;
    offset: number;
    info: typeof DTYPE_INFO.uint8;
    kind: Interpolation;
    /** Samples can be stored as they are (float output, or nearest copying its own type). */
    direct: boolean;
  }[] = [];
  for (const { source, out, options } of jobs) {
    const frameIn = source.shape[0] * source.shape[1] * source.shape[2];
    if (out.length !== frameOut * source.frames || source.data.length !== frameIn * source.frames) {
      throw new RangeError(`Cannot warp into ${out.length} voxels: expected ${frameOut} per frame`);
    }
    for (let f = 0; f < source.frames; f++) {
      let src: NumberArray = source.data, base = f * frameIn;
      if (options.interpolation === "bspline") {
        src = Float64Array.from(source.data.subarray(f * frameIn, (f + 1) * frameIn));
        prefilterBSpline3(src, source.shape);
        base = 0;
      }
      lanes.push({
        args: {
          src,
          finite: options.interpolation !== "linear" || allFinite(src, base, frameIn),
          base,
          sx: source.shape[0],
          sy: source.shape[1],
          sz: source.shape[2],
          fill: options.fill,
          slope: options.slope ?? 1,
          inter: options.inter ?? 0,
        },
        out,
        offset: f * frameOut,
        info: DTYPE_INFO[dtypeOf(out)],
        kind: options.interpolation,
        // Float64, float32 (the nearest float32), or nearest copying its own type: stored as
        // sampled.
        direct: out instanceof Float64Array ||
          (out instanceof Float32Array && options.keeping !== true) ||
          (options.interpolation === "nearest" &&
            dtypeOf(out) === dtypeOf(source.data) && (options.slope ?? 1) === 1 &&
            (options.inter ?? 0) === 0 && encodeValue(options.fill, dtypeOf(out)) === options.fill),
      });
    }
  }
  const xs = new Float64Array(nx), ys = new Float64Array(nx), zs = new Float64Array(nx);
  const row = new Float64Array(nx);
  let o = 0;
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      map.row(j, k, xs, ys, zs);
      for (const lane of lanes) {
        const at = lane.offset + o;
        const dst = lane.direct ? lane.out : row, to = lane.direct ? at : 0;
        if (lane.kind === "nearest") nearestRow(lane.args, xs, ys, zs, dst, to);
        else if (lane.kind === "linear") linearRow(lane.args, xs, ys, zs, dst, to);
        else bsplineRow(lane.args, xs, ys, zs, dst, to);
        if (!lane.direct) storeRow(row, lane.out, at, lane.info);
      }
      o += nx;
    }
  }
}
