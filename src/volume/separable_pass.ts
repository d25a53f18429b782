/**
 * The separable float pipeline of one resampling (SPEC §3): x and y inside
 * each input plane (two passes, or one direct bilinear pass when both shrink),
 * then z across planes — streamed plane by plane for nearest/linear, or over a
 * whole stack when z needs a line operator (B-spline prefilter, anti-aliasing).
 */
import type { NumberArray } from "./dtype.ts";
import type { AxisTaps } from "./interpolate.ts";
import { prefilterBlock, prefilterLines } from "./bspline.ts";
import { smoothBlock, smoothLines } from "./gaussian.ts";
import {
  combinePlanes,
  sampleBilinear,
  sampleBlockRows,
  sampleLine,
  sampleRows,
} from "./separable.ts";
import { borrowFloats, type FloatArray, releaseFloats } from "./scratch.ts";
import { overlaps } from "./resample_reuse.ts";

/** A second plane mixed into the written one (the fused last linear pass). */
export type Blend = { plane: FloatArray; wa: number; wb: number };

/** One axis's work: tap table, optional Gaussian kernel and B-spline prefilter. */
export interface AxisOp {
  readonly taps: AxisTaps;
  readonly kernel: Float64Array | null;
  readonly prefilter: boolean;
  /** The axis is the identity: no pass at all. */
  readonly skip: boolean;
}

/** The separable float pipeline of one resampling, with its scratch planes. */
export class SeparablePass {
  readonly #nIn: readonly [number, number, number];
  readonly #mOut: readonly [number, number, number];
  readonly #ops: readonly [AxisOp, AxisOp, AxisOp];
  readonly #f64: boolean;
  readonly #xFirst: boolean;
  /** x and y sampled together (4 reads per output) instead of two passes. */
  readonly #bilinear: boolean;
  readonly #borrowed: FloatArray[] = [];
  /** Plane buffers not holding a cached plane, reused across output planes and frames. */
  readonly #free: FloatArray[] = [];
  #tmp: FloatArray | null = null;

  constructor(
    nIn: readonly [number, number, number],
    mOut: readonly [number, number, number],
    ops: readonly [AxisOp, AxisOp, AxisOp],
    f64: boolean,
  ) {
    this.#nIn = nIn;
    this.#mOut = mOut;
    this.#ops = ops;
    this.#f64 = f64;
    const [nx, ny] = nIn, [mx, my] = mOut;
    // Shrink first: the in-plane order with fewer samples computed (x passes gather, cost more).
    // Cost model: source reads per output voxel of the plane.
    const tx = ops[0].taps.taps, ty = ops[1].taps.taps;
    const xFirst = (tx * ny) / my + ty, yFirst = (ty * nx) / mx + tx;
    this.#xFirst = xFirst < yFirst;
    const plain = (op: AxisOp) => !op.skip && !op.kernel && !op.prefilter && op.taps.taps === 2;
    this.#bilinear = plain(ops[0]) && plain(ops[1]) && 4 < Math.min(xFirst, yFirst);
  }

  #borrow(length: number, f64 = this.#f64): FloatArray {
    const b = borrowFloats(f64, length);
    this.#borrowed.push(b);
    return b;
  }

  /** Returns every scratch buffer to the pool. */
  release(): void {
    for (const b of this.#borrowed.splice(0)) releaseFloats(b);
  }

  /** Whether the z pass needs the whole in-plane-resampled stack (a z line operator). */
  get stacked(): boolean {
    return this.#ops[2].kernel !== null || this.#ops[2].prefilter;
  }

  /**
   * Runs one frame; `emit(plane, k)` receives each output plane k in order. `stackIn` (for a
   * stacked z pass) is where the stack goes instead of scratch: it may lie in `src`'s own bytes
   * as `stackInInput` places it (stack plane k never reaches input plane k + 1; where it overlaps
   * plane k, that plane is resampled into scratch first).
   */
  frame(
    src: NumberArray,
    f: number,
    emit: (plane: FloatArray, k: number, blend?: Blend) => void,
    zPlane: FloatArray,
    stackIn?: FloatArray,
  ): void {
    const [nx, ny, nz] = this.#nIn, [mx, my, mz] = this.#mOut;
    const inPlane = nx * ny, outPlane = mx * my, base = f * inPlane * nz;
    const op = this.#ops[2];
    const { idx, w, taps } = op.taps;
    if (op.kernel || op.prefilter) {
      // Whole in-plane-resampled stack, then the z line operators and sampling.
      const stack = stackIn ?? this.#borrow(outPlane * nz);
      for (let k = 0; k < nz; k++) {
        const slot = stack.subarray(k * outPlane, (k + 1) * outPlane);
        const at = base + k * inPlane;
        if (overlaps(slot, src.subarray(at + inPlane))) {
          throw new Error("internal: the z stack would overwrite input planes not read yet");
        }
        if (overlaps(slot, src.subarray(at, at + inPlane))) {
          this.#plane(src, at, zPlane);
          slot.set(zPlane);
        } else this.#plane(src, at, slot);
      }
      if (op.kernel) smoothLines(stack, 0, nz, outPlane, outPlane, 1, op.kernel);
      if (op.prefilter) prefilterLines(stack, 0, nz, outPlane, outPlane, 1);
      for (let k = 0; k < mz; k++) {
        sampleLine(stack, 0, outPlane, op.taps, k, zPlane, 0);
        emit(zPlane, k);
      }
      if (!stackIn) {
        releaseFloats(stack);
        this.#borrowed.splice(this.#borrowed.indexOf(stack), 1);
      }
      return;
    }
    // Streaming: in-plane results of the input planes the current output plane needs.
    const cache = new Map<number, FloatArray>();
    const free = this.#free;
    for (let k = 0; k < mz; k++) {
      const planes: FloatArray[] = [], weights: number[] = [];
      for (let q = 0; q < taps; q++) {
        const z = idx[k * taps + q];
        let p = cache.get(z);
        if (!p) {
          p = free.pop() ?? this.#borrow(outPlane);
          this.#plane(src, base + z * inPlane, p);
          cache.set(z, p);
        }
        planes.push(p);
        weights.push(w[k * taps + q]);
      }
      if (op.skip || planes.length === 1 || (planes.length === 2 && weights[1] === 0)) {
        emit(planes[0], k);
      } else if (planes.length === 2) {
        emit(planes[0], k, { plane: planes[1], wa: weights[0], wb: weights[1] });
      } else {
        combinePlanes(planes, weights, zPlane, outPlane);
        emit(zPlane, k);
      }
      const keepFrom = keptFrom(op.taps, k);
      for (const [z, p] of cache) {
        if (z < keepFrom) {
          cache.delete(z);
          free.push(p);
        }
      }
    }
    for (const p of cache.values()) free.push(p);
  }

  /**
   * For each output plane k of a streamed frame, the lowest input plane `frame` first reads
   * after emitting plane k (`nz`: none; the next frame's planes come after). The same cache
   * rule as `frame`: an input plane is read once, when first needed, and kept while needed.
   */
  readsAfter(): Int32Array {
    const nz = this.#nIn[2], mz = this.#mOut[2];
    const op = this.#ops[2];
    const { idx, taps } = op.taps;
    const readAt = new Int32Array(mz).fill(nz);
    const cache = new Set<number>();
    for (let k = 0; k < mz; k++) {
      for (let q = 0; q < taps; q++) {
        const z = idx[k * taps + q];
        if (!cache.has(z)) {
          cache.add(z);
          readAt[k] = Math.min(readAt[k], z);
        }
      }
      const keepFrom = keptFrom(op.taps, k);
      for (const z of cache) if (z < keepFrom) cache.delete(z);
    }
    const after = new Int32Array(mz);
    for (let k = mz - 1, low = nz; k >= 0; k--) {
      after[k] = low;
      low = Math.min(low, readAt[k]);
    }
    return after;
  }

  /** x and y passes of the input plane at `srcOff` into `dst` (mx × my). */
  #plane(src: NumberArray | FloatArray, srcOff: number, dst: FloatArray): void {
    const [nx, ny] = this.#nIn, [mx, my] = this.#mOut;
    const [ox, oy] = this.#ops;
    if (ox.skip && oy.skip) {
      for (let p = 0; p < nx * ny; p++) dst[p] = src[srcOff + p];
    } else if (this.#bilinear) sampleBilinear(src, srcOff, ox.taps, oy.taps, dst);
    else if (ox.skip) this.#yPass(src, srcOff, nx, dst);
    else if (oy.skip) this.#xPass(src, srcOff, ny, dst);
    else if (this.#xFirst) {
      const tmp = this.#scratch(mx * ny);
      this.#xPass(src, srcOff, ny, tmp);
      this.#yPass(tmp, 0, mx, dst);
    } else {
      const tmp = this.#scratch(nx * my);
      this.#yPass(src, srcOff, nx, tmp);
      this.#xPass(tmp, 0, my, dst);
    }
  }

  #scratch(length: number): FloatArray {
    if (!this.#tmp || this.#tmp.length < length) this.#tmp = this.#borrow(length);
    return this.#tmp.length === length ? this.#tmp : this.#tmp.subarray(0, length);
  }

  /** x pass over `rows` rows of length nx. */
  #xPass(src: NumberArray | FloatArray, srcOff: number, rows: number, dst: FloatArray): void {
    const op = this.#ops[0];
    const nx = this.#nIn[0], mx = this.#mOut[0];
    if (!op.kernel && !op.prefilter) {
      sampleRows(src, srcOff, rows, op.taps, dst, 0);
      return;
    }
    // Rows are copied interleaved (sample k of row p at k * c + p) so the line
    // operators run over independent rows in their inner loops.
    const chunk = Math.max(1, Math.min(rows, 32));
    const block = borrowFloats(true, chunk * nx) as Float64Array;
    for (let p0 = 0; p0 < rows; p0 += chunk) {
      const c = Math.min(chunk, rows - p0);
      for (let p = 0; p < c; p++) {
        const s = srcOff + (p0 + p) * nx;
        for (let k = 0; k < nx; k++) block[k * c + p] = src[s + k];
      }
      if (op.kernel) smoothBlock(block, nx, c, op.kernel);
      if (op.prefilter) prefilterBlock(block, nx, c);
      sampleBlockRows(block, c, op.taps, dst, p0 * mx);
    }
    releaseFloats(block);
  }

  /** y pass over one plane of `width` columns and ny rows. */
  #yPass(src: NumberArray | FloatArray, srcOff: number, width: number, dst: FloatArray): void {
    const op = this.#ops[1];
    const ny = this.#nIn[1], my = this.#mOut[1];
    let from: NumberArray | FloatArray = src, off = srcOff;
    let lines: FloatArray | null = null;
    if (op.kernel || op.prefilter) {
      const block = borrowFloats(true, width * ny) as Float64Array;
      for (let e = 0; e < width * ny; e++) block[e] = src[srcOff + e];
      if (op.kernel) smoothBlock(block, ny, width, op.kernel);
      if (op.prefilter) prefilterBlock(block, ny, width);
      lines = block;
      from = lines;
      off = 0;
    }
    for (let j = 0; j < my; j++) sampleLine(from, off, width, op.taps, j, dst, j * width);
    if (lines) releaseFloats(lines);
  }
}

/** Cached in-plane results of input planes below this are dropped after output plane k. */
function keptFrom(taps: AxisTaps, k: number): number {
  return k + 1 < taps.m ? taps.idx[(k + 1) * taps.taps] : Infinity;
}
