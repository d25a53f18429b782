/**
 * Resampling into a consumed input's bytes (`consumeInput`, issue 15): the result must be the
 * bytes of the ordinary resampling (fresh memory, input untouched) in every case, placed in the
 * input where the read order allows it and in fresh memory where it does not.
 */
import assert from "node:assert/strict";
import { type AxisMap, deriveResampleGrid, type ResampleGrid } from "../../src/volume/grid.ts";
import type { Interpolation } from "../../src/volume/interpolate.ts";
import {
  resampleForSave,
  type ResampleOptions,
  resampleVolume,
} from "../../src/volume/resample.ts";
import {
  inputBytesOf,
  overlaps,
  stackedOutputInInput,
  stackInInput,
  streamedOutputInInput,
} from "../../src/volume/resample_reuse.ts";
import type { DType } from "../../src/volume/dtype.ts";
import type { Volume } from "../../src/volume/volume.ts";
import { makeVolume } from "../_volumes.ts";

/** A noisy smooth field (exercises every tap and the B-spline prefilter). */
function field(i: number, j: number, k: number, t: number): number {
  return Math.round(800 * Math.sin(i * 0.9 + j * 0.37 - k * 1.3 + t) + 97 * Math.cos(i * j + k));
}

function input(shape: [number, number, number], dtype: DType = "int16", frames = 1): Volume {
  return makeVolume({ shape, dtype, frames, fn: field });
}

function bytes(v: Volume): Uint8Array {
  return new Uint8Array(v.data.buffer, v.data.byteOffset, v.data.byteLength);
}

interface Case {
  name: string;
  shape: [number, number, number];
  size: [number, number, number];
  interpolation: Interpolation;
  dtype?: DType;
  frames?: number;
  antialias?: boolean;
  /** Reverse the output z axis (input planes read from the last to the first). */
  flipZ?: boolean;
  /** Whether the result is expected inside the input's buffer (float / rounded). */
  inInput: [boolean, boolean];
  /** Whether the z stack is expected inside the input's buffer. */
  stackIn?: boolean;
}

function gridOf(v: Volume, c: Case): ResampleGrid {
  const grid = deriveResampleGrid(v.shape, v.affine, { size: c.size, grid: "center" });
  if (!c.flipZ) return grid;
  const a = grid.axes[2];
  const flipped: AxisMap = {
    n: a.n,
    m: a.m,
    r: a.r,
    kind: a.kind,
    identity: false,
    coordinate: (i) => a.coordinate(a.m - 1 - i),
  };
  return { ...grid, axes: [grid.axes[0], grid.axes[1], flipped] };
}

/** Runs one case float and rounded, consumed and not; asserts identical bytes and placement. */
function check(c: Case): void {
  const dtype = c.dtype ?? "int16";
  for (const [r, round] of [false, true].entries()) {
    if (round && dtype === "float32") continue;
    const kept = input(c.shape, dtype, c.frames);
    const consumed = input(c.shape, dtype, c.frames);
    const grid = gridOf(kept, c);
    // As before an integer save (the float32 placements are the tight ones).
    const options: ResampleOptions = {
      interpolation: c.interpolation,
      antialias: c.antialias ?? false,
      fill: -7,
      floats: "float32-keeping",
    };
    const store = {
      dtype: dtype === "uint8" ? "uint8" as const : "int16" as const,
      rounding: "nearest" as const,
    };
    const run = (v: Volume, consumeInput: boolean) =>
      round
        ? resampleForSave(v, grid, { ...options, consumeInput }, store)!.volume
        : resampleVolume(v, grid, { ...options, consumeInput });
    const want = run(kept, false);
    const got = run(consumed, true);
    const label = `${c.name} (${round ? "rounded" : "float"})`;
    assert.deepEqual(input(c.shape, dtype, c.frames).data, kept.data, `${label}: input kept`);
    assert.equal(got.dtype, want.dtype, label);
    assert.deepEqual(got.shape, want.shape, label);
    assert.deepEqual(bytes(got), bytes(want), `${label}: same bytes`);
    assert.equal(got.data.buffer === consumed.data.buffer, c.inInput[r], `${label}: placement`);
    const untouched = bytes(consumed).every((b, i) => b === bytes(kept)[i]);
    assert.equal(untouched, !(c.inInput[r] || c.stackIn), `${label}: input overwritten`);
  }
}

const CASES: Case[] = [
  {
    name: "linear, z upsampled 1.25 → 1 (the 1 mm case: input planes kept in the cache)",
    shape: [12, 10, 24],
    size: [6, 5, 30],
    interpolation: "linear",
    inInput: [true, true],
  },
  {
    name: "linear, z upsampled 1.25 → 1, a float32 result larger than the int16 input",
    shape: [12, 10, 24],
    size: [9, 7, 30],
    interpolation: "linear",
    inInput: [false, true],
  },
  {
    name: "linear, every axis shrunk",
    shape: [13, 11, 17],
    size: [5, 4, 6],
    interpolation: "linear",
    inInput: [true, true],
  },
  {
    name: "linear, z upsampled ×3 in full-size planes: the result does not fit",
    shape: [8, 8, 10],
    size: [8, 8, 30],
    interpolation: "linear",
    inInput: [false, false],
  },
  {
    name: "linear, z reversed: input plane 0 is read last, so nothing is placed",
    shape: [12, 10, 24],
    size: [6, 5, 24],
    interpolation: "linear",
    flipZ: true,
    inInput: [false, false],
  },
  {
    name: "linear, two frames (the second frame's planes read after the first's output)",
    shape: [12, 10, 9],
    size: [6, 5, 11],
    interpolation: "linear",
    frames: 2,
    inInput: [true, true],
  },
  {
    name: "B-spline, stack and result in the input (stack planes overlap the first input planes)",
    shape: [16, 14, 20],
    size: [7, 7, 4],
    interpolation: "bspline",
    inInput: [true, true],
    stackIn: true,
  },
  {
    name: "B-spline, stack in the input, the float32 result does not fit after it",
    shape: [16, 14, 20],
    size: [7, 7, 9],
    interpolation: "bspline",
    inInput: [false, true],
    stackIn: true,
  },
  {
    name: "B-spline, two frames: stack in the input, result in fresh memory",
    shape: [16, 14, 12],
    size: [7, 7, 9],
    interpolation: "bspline",
    frames: 2,
    inInput: [false, false],
    stackIn: true,
  },
  {
    name: "B-spline, in-plane upsampled: a stack plane is larger than an input plane",
    shape: [6, 5, 9],
    size: [12, 10, 7],
    interpolation: "bspline",
    inInput: [false, false],
  },
  {
    name: "B-spline, float32 input (float64 stack: no room left for the result)",
    shape: [15, 9, 11],
    size: [7, 9, 5],
    interpolation: "bspline",
    dtype: "float32",
    inInput: [false, false],
    stackIn: true, // 11 stack planes of 7·9 float64 (5544 bytes) of the 5940 input bytes
  },
  {
    name: "B-spline, float32 input (float64 stack and result in the input)",
    shape: [15, 9, 11],
    size: [5, 9, 5],
    interpolation: "bspline",
    dtype: "float32",
    inInput: [true, false],
  },
  {
    name: "linear with anti-aliasing (stacked Gaussian z pass), no room left for the result",
    shape: [14, 12, 16],
    size: [7, 6, 5],
    interpolation: "linear",
    antialias: true,
    inInput: [false, false],
    stackIn: true, // 16 stack planes of 7·6 float64 fill the 14·12·16 int16 input
  },
  {
    name: "1-voxel z axis (B-spline)",
    shape: [9, 8, 1],
    size: [5, 4, 1],
    interpolation: "bspline",
    inInput: [true, true],
  },
  {
    name: "1-voxel x and y axes (linear along z only)",
    shape: [1, 1, 17],
    size: [1, 1, 6],
    interpolation: "linear",
    inInput: [true, true],
  },
  {
    name: "uint8 input (float32 result larger than the input: not placed)",
    shape: [10, 9, 8],
    size: [8, 8, 8],
    interpolation: "linear",
    dtype: "uint8",
    inInput: [false, true],
  },
];

for (const c of CASES) {
  Deno.test(`consumeInput gives the ordinary result's bytes: ${c.name}`, () => check(c));
}

Deno.test("the consumed-input plans refuse misaligned or too small inputs and see overlaps", () => {
  const buffer = new ArrayBuffer(64);
  const odd = new Int16Array(buffer, 2, 20); // 40 bytes at offset 2: no float64 view fits
  const info = inputBytesOf(odd, 4, 5, 1)!;
  assert.equal(info.planeBytes, 8);
  assert.equal(stackInInput(info, true, 1), undefined);
  assert.equal(stackInInput(info, false, 2), undefined);
  const even = inputBytesOf(new Int16Array(buffer, 8, 20), 4, 5, 1)!;
  const stack = stackInInput(even, false, 2)!;
  assert.equal(stack.byteOffset, 8);
  assert.equal(stack.length, 10);
  assert.equal(stackInInput(even, false, 3), undefined, "stack plane 12 bytes > input plane 8");
  // 40 input bytes, a 40-byte stack: no room left for the result.
  assert.equal(stackedOutputInInput(even, stack, "int16", 1), undefined);
  const half = stackInInput(even, false, 1)!; // 20 bytes at 8: 20 bytes left after it
  assert.equal(stackedOutputInInput(even, half, "int16", 10)!.byteOffset, 28);
  assert.equal(stackedOutputInInput(even, half, "int16", 11), undefined);
  assert.equal(stackedOutputInInput(even, half, "float64", 1), undefined, "28 is not 8-aligned");
  const twoFrames = inputBytesOf(new Int16Array(buffer, 8, 20), 2, 5, 2)!;
  assert.equal(
    stackedOutputInInput(twoFrames, stackInInput(twoFrames, false, 1)!, "int16", 1),
    undefined,
  );
  // Streamed: plane k of 4 bytes (2 int16) may end where the next read input plane starts.
  assert.equal(streamedOutputInInput(even, "int16", 2, Int32Array.from([0, 2, 5])), undefined);
  assert.ok(streamedOutputInInput(even, "int16", 2, Int32Array.from([1, 1, 5])));
  assert.equal(streamedOutputInInput(even, "int16", 4, Int32Array.from([1, 1, 5])), undefined);
  // 3 planes of 16 bytes do not fit 40 bytes, whatever the reads.
  assert.equal(streamedOutputInInput(even, "int16", 8, Int32Array.from([5, 5, 5])), undefined);
  assert.ok(overlaps(new Uint8Array(buffer, 0, 9), new Uint8Array(buffer, 8, 1)));
  assert.ok(!overlaps(new Uint8Array(buffer, 0, 8), new Uint8Array(buffer, 8, 1)));
  assert.ok(!overlaps(new Uint8Array(8), new Uint8Array(8)));
});
