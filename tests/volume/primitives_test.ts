import assert from "node:assert/strict";
import { applyAffine, invertAffine } from "../../src/volume/affine.ts";
import { DTYPES } from "../../src/volume/dtype.ts";
import {
  copyVolume,
  cropVolume,
  flipGrid,
  flipVolume,
  padVolume,
  permuteGrid,
  permuteVolume,
  translateAffine,
  translateVolume,
  windowGrid,
  windowVolume,
} from "../../src/volume/primitives.ts";
import type { Volume } from "../../src/volume/volume.ts";
import { makeVolume, obliqueAffine } from "../_volumes.ts";

/** A 5×6×7×2 volume of `dtype` on an anisotropic oblique affine; values vary on every axis. */
function source(dtype: (typeof DTYPES)[number]): Volume {
  const signed = !dtype.startsWith("uint");
  return makeVolume({
    dtype,
    frames: 2,
    slope: 0.5,
    inter: -3,
    affine: obliqueAffine([0.9, 1.1, 2.5]),
    fn: (i, j, k, t) => ((i * 7 + j * 13 + k * 29 + t * 53) % 97) - (signed ? 40 : 0),
  });
}

const world = (v: Volume, ijk: readonly number[]) => applyAffine(v.affine, ijk);

/**
 * Every output voxel holds the value of the input voxel at the same world position, in every
 * frame; voxels outside the input hold `fill`. Returns how many voxels came from the input.
 */
function assertWorldKept(input: Volume, output: Volume, fill?: number): number {
  assert.equal(output.frames, input.frames);
  assert.equal(output.dtype, input.dtype);
  assert.equal(output.slope, input.slope);
  assert.equal(output.inter, input.inter);
  assert.deepEqual(output.meta, input.meta);
  const back = invertAffine(input.affine);
  const [nx, ny, nz] = input.shape, [mx, my, mz] = output.shape;
  let inside = 0;
  for (let t = 0; t < output.frames; t++) {
    for (let k = 0; k < mz; k++) {
      for (let j = 0; j < my; j++) {
        for (let i = 0; i < mx; i++) {
          const w = world(output, [i, j, k]);
          const p = applyAffine(back, w);
          const q = p.map(Math.round);
          for (let a = 0; a < 3; a++) assert.ok(Math.abs(p[a] - q[a]) < 1e-9, `off-grid ${p}`);
          const got = output.data[((t * mz + k) * my + j) * mx + i];
          if (q[0] < 0 || q[1] < 0 || q[2] < 0 || q[0] >= nx || q[1] >= ny || q[2] >= nz) {
            assert.ok(fill !== undefined, `voxel ${[i, j, k]} outside the input`);
            assert.equal(Number(got), fill);
            continue;
          }
          inside++;
          const want = input.data[((t * nz + q[2]) * ny + q[1]) * nx + q[0]];
          assert.equal(got, want, `voxel ${[i, j, k, t]} ← ${q}`);
          const back2 = world(input, q);
          for (let a = 0; a < 3; a++) assert.ok(Math.abs(back2[a] - w[a]) < 1e-9);
        }
      }
    }
  }
  return inside;
}

/** Runs `fn` and checks that the input volume was not changed. */
function untouched<T>(input: Volume, fn: () => T): T {
  const data = input.data.slice(), affine = input.affine.map((r) => [...r]);
  const out = fn();
  assert.deepEqual(input.data, data);
  assert.deepEqual(input.affine, affine);
  return out;
}

for (const dtype of DTYPES) {
  Deno.test(`cropVolume keeps values and world positions of the box (${dtype}, 4D)`, () => {
    const v = source(dtype);
    const out = untouched(v, () => cropVolume(v, { origin: [1, 2, 3], size: [3, 4, 2] }));
    assert.deepEqual(out.shape, [3, 4, 2]);
    assert.equal(assertWorldKept(v, out), 3 * 4 * 2 * 2);
    assert.notEqual(out.data.buffer, v.data.buffer);
  });

  Deno.test(`padVolume adds fill around the volume, world positions kept (${dtype}, 4D)`, () => {
    const v = source(dtype);
    const out = untouched(
      v,
      () => padVolume(v, { before: [2, 0, 1], after: [1, 3, 0] }, 7),
    );
    assert.deepEqual(out.shape, [8, 9, 8]);
    assert.equal(assertWorldKept(v, out, 7), 5 * 6 * 7 * 2);
    assert.equal(Number(out.data[0]), 7);
  });

  Deno.test(`windowVolume crops one side and pads another at once (${dtype})`, () => {
    const v = source(dtype);
    const out = untouched(v, () => windowVolume(v, [-2, 1, 4], [4, 3, 6], 0));
    assert.deepEqual(out.shape, [4, 3, 6]);
    assert.equal(assertWorldKept(v, out, 0), 2 * 3 * 3 * 2);
  });

  Deno.test(`flipVolume reverses axes and moves the affine with them (${dtype}, 4D)`, () => {
    const v = source(dtype);
    for (const axes of [[0], [1], [2], [0, 2], [0, 1, 2]] as const) {
      const out = untouched(v, () => flipVolume(v, axes));
      assert.deepEqual(out.shape, v.shape);
      assert.equal(assertWorldKept(v, out), 5 * 6 * 7 * 2);
      assert.deepEqual(flipVolume(out, axes).data, v.data);
    }
    // voxel (0, 0, 0) of an x flip is the input's last voxel of that row.
    assert.equal(flipVolume(v, [0]).data[0], v.data[4]);
  });

  Deno.test(`permuteVolume reorders axes and the affine's columns (${dtype}, 4D)`, () => {
    const v = source(dtype);
    for (const order of [[2, 0, 1], [1, 0, 2], [0, 2, 1], [2, 1, 0]] as const) {
      const out = untouched(v, () => permuteVolume(v, order));
      assert.deepEqual(out.shape, [v.shape[order[0]], v.shape[order[1]], v.shape[order[2]]]);
      assert.equal(assertWorldKept(v, out), 5 * 6 * 7 * 2);
    }
  });

  Deno.test(`copyVolume is deep and equal; translateVolume moves the world only (${dtype})`, () => {
    const v = source(dtype);
    const c = copyVolume(v);
    assert.deepEqual(c.data, v.data);
    assert.notEqual(c.data, v.data);
    assert.equal(c.data.constructor, v.data.constructor);
    assert.deepEqual(c.affine, v.affine);
    assert.notEqual(c.affine, v.affine);
    assert.equal(assertWorldKept(v, c), 5 * 6 * 7 * 2);
    const moved = untouched(v, () => translateVolume(v, [1.5, -2, 0.25]));
    assert.equal(moved.data, v.data);
    const a = world(v, [4, 5, 6]), b = world(moved, [4, 5, 6]);
    assert.deepEqual(b.map((x, i) => Math.round((x - a[i]) * 1e9) / 1e9), [1.5, -2, 0.25]);
  });
}

Deno.test("cropVolume refuses a box outside the volume", () => {
  const v = source("int16");
  assert.throws(() => cropVolume(v, { origin: [-1, 0, 0], size: [2, 2, 2] }), RangeError);
  assert.throws(() => cropVolume(v, { origin: [4, 0, 0], size: [2, 2, 2] }), /must lie inside/);
  assert.throws(() => cropVolume(v, { origin: [0, 0, 0], size: [0, 2, 2] }), RangeError);
});

Deno.test("padVolume refuses negative margins and fills the type cannot store", () => {
  assert.throws(
    () => padVolume(source("int16"), { before: [-1, 0, 0], after: [0, 0, 0] }),
    /margins must be integers/,
  );
  assert.throws(
    () => padVolume(source("uint8"), { before: [1, 0, 0], after: [0, 0, 0] }, -1),
    /Cannot fill uint8 voxels with -1/,
  );
  assert.throws(
    () => padVolume(source("int16"), { before: [1, 0, 0], after: [0, 0, 0] }, 0.5),
    RangeError,
  );
  const f = padVolume(source("float32"), { before: [1, 0, 0], after: [0, 0, 0] }, NaN);
  assert.ok(Number.isNaN(f.data[0]));
});

Deno.test("permuteGrid refuses an order that is not a permutation", () => {
  const v = source("int16");
  assert.throws(() => permuteGrid(v, [0, 0, 1]), /permutation of 0, 1, 2/);
});

Deno.test("grid forms agree with the volume forms", () => {
  const v = source("float32");
  assert.deepEqual(windowGrid(v, [1, -2, 3], [2, 9, 4]), {
    shape: [2, 9, 4],
    affine: windowVolume(v, [1, -2, 3], [2, 9, 4]).affine,
  });
  assert.deepEqual(flipGrid(v, [1, 2]).affine, flipVolume(v, [1, 2]).affine);
  assert.deepEqual(permuteGrid(v, [1, 2, 0]).affine, permuteVolume(v, [1, 2, 0]).affine);
  assert.deepEqual(translateAffine(v.affine, [0, 0, 0]), v.affine);
});
