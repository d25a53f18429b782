import { DTYPE_INFO, dtypeOf, encodeValue, type NumberArray } from "./dtype.ts";
import { bsplineWeights, mirrorIndex, prefilterBSpline3 } from "./bspline.ts";

/** Interpolators of SPEC §3. */
export type Interpolation = "nearest" | "linear" | "bspline";

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
}

const EDGE = 1e-6;

/** One source to sample into one output with its options. */
export interface WarpJob {
  readonly source: WarpSource;
  readonly out: NumberArray;
  readonly options: WarpOptions;
}

/**
 * Samples every frame of `source` at the coordinates of `map` into `out`
 * (SPEC §3: fill outside [−0.5, N−0.5], nearest / clamped trilinear / mirrored
 * cubic B-spline); integer outputs are rounded half away from zero and clamped.
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
        direct: !DTYPE_INFO[dtypeOf(out)].integer || (options.interpolation === "nearest" &&
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
        if (!lane.direct) storeInteger(row, lane.out, at, lane.info.min, lane.info.max);
      }
      o += nx;
    }
  }
}

interface SampleArgs {
  src: NumberArray;
  /** No NaN or ±Inf in src (zero-weight neighbours may then be read). */
  finite: boolean;
  base: number;
  sx: number;
  sy: number;
  sz: number;
  fill: number;
  slope: number;
  inter: number;
}

function allFinite(src: NumberArray, base: number, n: number): boolean {
  for (let i = base; i < base + n; i++) if (!Number.isFinite(src[i])) return false;
  return true;
}

function storeInteger(row: Float64Array, out: NumberArray, o: number, lo: number, hi: number) {
  for (let i = 0; i < row.length; i++) {
    const v = row[i];
    let r = v < 0 ? -Math.floor(-v + 0.5) : Math.floor(v + 0.5);
    if (r !== r) r = 0;
    else if (r < lo) r = lo;
    else if (r > hi) r = hi;
    out[o + i] = r;
  }
}

function nearestRow(
  s: SampleArgs,
  xs: Float64Array,
  ys: Float64Array,
  zs: Float64Array,
  dst: NumberArray,
  at: number,
) {
  const { src, base, sx, sy, sz, fill, slope, inter } = s;
  const hx = sx - 0.5 + EDGE, hy = sy - 0.5 + EDGE, hz = sz - 0.5 + EDGE, lo = -0.5 - EDGE;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i], y = ys[i], z = zs[i];
    if (!(x >= lo && x <= hx && y >= lo && y <= hy && z >= lo && z <= hz)) {
      dst[at + i] = fill;
      continue;
    }
    // x + 0.5 > −1e-6 here, so truncation is floor (or 0 at the very edge)
    let a = (x + 0.5) | 0, b = (y + 0.5) | 0, c = (z + 0.5) | 0;
    if (a >= sx) a = sx - 1;
    if (b >= sy) b = sy - 1;
    if (c >= sz) c = sz - 1;
    dst[at + i] = src[base + a + sx * (b + sy * c)] * slope + inter;
  }
}

function linearRow(
  s: SampleArgs,
  xs: Float64Array,
  ys: Float64Array,
  zs: Float64Array,
  dst: NumberArray,
  at: number,
) {
  const { src, base, sx, sy, sz, fill, slope, inter } = s;
  const hx = sx - 0.5 + EDGE, hy = sy - 0.5 + EDGE, hz = sz - 0.5 + EDGE, lo = -0.5 - EDGE;
  const sxy = sx * sy, mx = sx - 1, my = sy - 1, mz = sz - 1, finite = s.finite;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i], y = ys[i], z = zs[i];
    if (finite && x >= 0 && x < mx && y >= 0 && y < my && z >= 0 && z < mz) {
      // interior: all 8 neighbours exist (x | 0 is floor for x >= 0)
      const x0 = x | 0, y0 = y | 0, z0 = z | 0;
      const fx = x - x0, fy = y - y0, fz = z - z0;
      const r = base + x0 + sx * y0 + sxy * z0, q = r + sxy;
      const c00 = src[r] + (src[r + 1] - src[r]) * fx;
      const c10 = src[r + sx] + (src[r + sx + 1] - src[r + sx]) * fx;
      const c01 = src[q] + (src[q + 1] - src[q]) * fx;
      const c11 = src[q + sx] + (src[q + sx + 1] - src[q + sx]) * fx;
      const c0 = c00 + (c10 - c00) * fy, c1 = c01 + (c11 - c01) * fy;
      dst[at + i] = (c0 + (c1 - c0) * fz) * slope + inter;
      continue;
    }
    if (!(x >= lo && x <= hx && y >= lo && y <= hy && z >= lo && z <= hz)) {
      dst[at + i] = fill;
      continue;
    }
    let x0 = Math.floor(x), y0 = Math.floor(y), z0 = Math.floor(z);
    const fx = x - x0, fy = y - y0, fz = z - z0;
    // a zero weight never reads its neighbour (a NaN there must not leak in)
    let x1 = fx === 0 ? x0 : x0 + 1, y1 = fy === 0 ? y0 : y0 + 1, z1 = fz === 0 ? z0 : z0 + 1;
    if (x0 < 0) x0 = 0;
    if (y0 < 0) y0 = 0;
    if (z0 < 0) z0 = 0;
    if (x1 >= sx) x1 = sx - 1;
    if (y1 >= sy) y1 = sy - 1;
    if (z1 >= sz) z1 = sz - 1;
    const r00 = base + sx * y0 + sxy * z0, r10 = base + sx * y1 + sxy * z0;
    const r01 = base + sx * y0 + sxy * z1, r11 = base + sx * y1 + sxy * z1;
    const a00 = src[r00 + x0], b00 = src[r00 + x1], a10 = src[r10 + x0], b10 = src[r10 + x1];
    const a01 = src[r01 + x0], b01 = src[r01 + x1], a11 = src[r11 + x0], b11 = src[r11 + x1];
    const c00 = a00 + (b00 - a00) * fx, c10 = a10 + (b10 - a10) * fx;
    const c01 = a01 + (b01 - a01) * fx, c11 = a11 + (b11 - a11) * fx;
    const c0 = c00 + (c10 - c00) * fy, c1 = c01 + (c11 - c01) * fy;
    dst[at + i] = (c0 + (c1 - c0) * fz) * slope + inter;
  }
}

function bsplineRow(
  s: SampleArgs,
  xs: Float64Array,
  ys: Float64Array,
  zs: Float64Array,
  dst: NumberArray,
  at: number,
) {
  const { src, sx, sy, sz, fill, slope, inter } = s;
  const hx = sx - 0.5 + EDGE, hy = sy - 0.5 + EDGE, hz = sz - 0.5 + EDGE, lo = -0.5 - EDGE;
  const wx = new Float64Array(4), wy = new Float64Array(4), wz = new Float64Array(4);
  const ix = new Int32Array(4), iy = new Int32Array(4), iz = new Int32Array(4);
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i], y = ys[i], z = zs[i];
    if (!(x >= lo && x <= hx && y >= lo && y <= hy && z >= lo && z <= hz)) {
      dst[at + i] = fill;
      continue;
    }
    const x0 = Math.floor(x), y0 = Math.floor(y), z0 = Math.floor(z);
    bsplineWeights(x - x0, wx);
    bsplineWeights(y - y0, wy);
    bsplineWeights(z - z0, wz);
    for (let t = 0; t < 4; t++) {
      ix[t] = mirrorIndex(x0 - 1 + t, sx);
      iy[t] = mirrorIndex(y0 - 1 + t, sy) * sx;
      iz[t] = mirrorIndex(z0 - 1 + t, sz) * sx * sy;
    }
    let v = 0;
    for (let c = 0; c < 4; c++) {
      let vy = 0;
      for (let b = 0; b < 4; b++) {
        const r = iz[c] + iy[b];
        vy += wy[b] * (wx[0] * src[r + ix[0]] + wx[1] * src[r + ix[1]] +
          wx[2] * src[r + ix[2]] + wx[3] * src[r + ix[3]]);
      }
      v += wz[c] * vy;
    }
    dst[at + i] = v * slope + inter;
  }
}
