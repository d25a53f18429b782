import assert from "node:assert/strict";
import { resampleToSpacing } from "../../../src/steps/spatial/resample_to_spacing.ts";
import { columnNorms } from "../../../src/volume/affine.ts";
import { decodeNifti } from "../../../src/nifti/nifti_read.ts";
import { encodeNifti } from "../../../src/nifti/nifti_write.ts";
import type { Volume } from "../../../src/volume/volume.ts";
import { makeContext, makeSubject, makeVolume, obliqueAffine } from "../../_volumes.ts";

Deno.test("resampleToSpacing reaches the requested spacing on an oblique affine, direction kept", () => {
  const input = makeVolume({ shape: [23, 19, 11], dtype: "float32", affine: obliqueAffine() });
  const params = resampleToSpacing.params.parse({ spacing: [1.4, 1.4, 1.4] });
  const { subject, record } = resampleToSpacing.apply!(
    makeSubject({ image: input }),
    params,
    makeContext(),
  );
  const v = subject.items[0].volume;
  // M = round_half_even(N·s/t): 23·0.9/1.4 = 14.79, 19·1.1/1.4 = 14.93, 11·2.5/1.4 = 19.64.
  assert.deepEqual(v.shape, [15, 15, 20]);
  const s = columnNorms(input.affine), t = columnNorms(v.affine);
  for (let c = 0; c < 3; c++) {
    assert.ok(Math.abs(t[c] - 1.4) < 1e-12);
    for (let r = 0; r < 3; r++) {
      assert.ok(Math.abs(v.affine[r][c] / t[c] - input.affine[r][c] / s[c]) < 1e-12);
    }
  }
  const roles = (record as { roles: Record<string, { spacing: number[] }> }).roles;
  assert.ok(roles.image.spacing.every((x) => Math.abs(x - 1.4) < 1e-12));
});

Deno.test("resampleToSpacing keeps null axes and plan() matches apply()", () => {
  const input = makeVolume({ frames: 2, dtype: "int16" });
  const params = resampleToSpacing.params.parse({
    spacing: [null, 0.5, null],
    grid: "origin",
    interpolation: "nearest",
  });
  const planned = resampleToSpacing.plan!(input, params);
  const v = resampleToSpacing.apply!(makeSubject({ image: input }), params, makeContext())
    .subject.items[0].volume;
  assert.deepEqual(v.shape, [5, 13, 7]); // 6·1.1/0.5 = 13.2
  assert.deepEqual(planned.shape, v.shape);
  assert.equal(v.frames, 2); // the frames share the grid: plan() has none to change
  assert.deepEqual(planned.affine, v.affine);
});

Deno.test("resampleToSpacing params reject the corners grid and non-positive spacing", () => {
  assert.equal(
    resampleToSpacing.params.safeParse({ spacing: [1, 1, 1], grid: "corners" }).success,
    false,
  );
  assert.equal(resampleToSpacing.params.safeParse({ spacing: [0, 1, 1] }).success, false);
  assert.equal(resampleToSpacing.params.safeParse({ spacing: [-1, null, 1] }).success, false);
});

/** `volume` after a NIfTI write and read: float32 affine and pixdims, as from a real file. */
const throughHeader = (volume: Volume) => decodeNifti("x.nii", encodeNifti(volume)).volume;

Deno.test("resampleToSpacing at pixdim / 2 on float32 pixdims 0.9, 0.7, 1.3 mm fills no plane (1e-4 edge tolerance)", () => {
  const pixdims: [number, number, number] = [0.9, 0.7, 1.3];
  for (let a = 0; a < 3; a++) {
    const shape = [4, 4, 4] as [number, number, number];
    shape[a] = 160;
    const affine = [[0.9, 0, 0, -3], [0, 0.7, 0, 5], [0, 0, 1.3, 7], [0, 0, 0, 1]];
    const input = throughHeader(makeVolume({ shape, dtype: "float32", affine, fn: () => 7 }));
    assert.notEqual(columnNorms(input.affine)[a], pixdims[a]); // float32 drift is the point
    const spacing: (number | null)[] = [null, null, null];
    spacing[a] = pixdims[a] / 2;
    for (const grid of ["origin", "center"] as const) {
      for (const interpolation of ["nearest", "linear", "bspline"] as const) {
        const params = resampleToSpacing.params.parse({ spacing, grid, interpolation });
        const v = resampleToSpacing.apply!(makeSubject({ image: input }), params, makeContext())
          .subject.items[0].volume;
        assert.equal(v.shape[a], 320);
        const zeros = Array.from(v.data as Float32Array).filter((x) => Math.abs(x - 7) > 1e-4);
        assert.equal(
          zeros.length,
          0,
          `axis ${a}, ${grid}, ${interpolation}: ${zeros.length} fill voxels`,
        );
      }
    }
  }
});
