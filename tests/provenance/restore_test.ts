/**
 * The restore planner (src/provenance/restore.ts): which grids, which interpolation, what it
 * refuses; `.npy` layouts (C and Fortran order, channels first or last, a batch axis of one).
 */
import assert from "node:assert/strict";
import { npyVolume, planRestore, restoreVolume } from "../../src/provenance/restore.ts";
import type { Provenance, SubjectRecord } from "../../src/provenance/types.ts";
import { makeVolume, obliqueAffine } from "../_volumes.ts";

const affine = obliqueAffine().map((r) => [...r]);
/** Spacing halved on the center grid: output voxel i samples input voxel i / 2 − 0.25. */
const half = affine.map((row, r) =>
  r < 3 ? [row[0] / 2, row[1] / 2, row[2] / 2, row[3] - 0.25 * (row[0] + row[1] + row[2])] : row
);

function provenance(
  steps: SubjectRecord["steps"],
  recipeSteps: { step: string; params: Record<string, unknown> }[],
): Provenance {
  const input = (role: string, label: boolean) => ({
    role,
    label,
    path: `/in/${role}.nii.gz`,
    sha256: "0".repeat(64),
    dtype: "uint8",
    shape: [5, 6, 7] as [number, number, number],
    frames: 1,
    spacing: [0.9, 1.1, 2.5] as [number, number, number],
    affine,
  });
  return {
    recipe: {
      path: "/r.yaml",
      sha256: "",
      git: null,
      resolved: {
        version: 1,
        name: "r",
        seed: 0,
        steps: [
          { step: "load", params: { labels: ["label"] } },
          ...recipeSteps,
          { step: "save", params: { name: "{id}_{role}.nii.gz" } },
        ],
      },
    },
    subjects: [{
      id: "s1",
      row: 2,
      status: "done",
      inputs: [input("image", false), input("label", true)],
      steps,
      outputs: [],
      warnings: [],
    }],
  } as unknown as Provenance;
}

const resampled = (interpolation: string) =>
  provenance([{
    index: 1,
    name: "resample-to-spacing",
    copy: 0,
    seed: 0,
    params: { interpolation },
    record: {},
    items: ["image", "label"].map((role) => ({
      role,
      dtype: "uint8",
      shape: [10, 12, 14] as [number, number, number],
      frames: 1,
      spacing: [0.45, 0.55, 1.25] as [number, number, number],
      affine: half,
    })),
    ms: 0,
  }], [{ step: "resample-to-spacing", params: { spacing: [0.45, 0.55, 1.25], interpolation } }]);

Deno.test("planRestore takes the role's grid after the last step and its input grid; interpolation from the role, the flag or the recipe", () => {
  const p = planRestore(resampled("bspline"), { subject: "s1" });
  assert.equal(p.role, "image");
  assert.deepEqual(p.from.shape, [10, 12, 14]);
  assert.deepEqual(p.to.shape, [5, 6, 7]);
  assert.equal(p.interpolation, "bspline");
  assert.equal(
    planRestore(resampled("bspline"), { subject: "s1", role: "label" }).interpolation,
    "nearest",
  );
  const flag = planRestore(resampled("bspline"), { subject: "s1", interpolation: "linear" });
  assert.equal(flag.interpolation, "linear");
  assert.equal(flag.explicit, true);
});

Deno.test("restoreVolume uses nearest for an integer prediction of an image role unless --interpolation says otherwise", () => {
  const plan = planRestore(resampled("linear"), { subject: "s1" });
  const pred = makeVolume({ shape: [10, 12, 14], dtype: "uint8", affine: half, fn: (i) => i % 3 });
  const r = restoreVolume(pred, plan);
  assert.equal(r.interpolation, "nearest");
  assert.equal(r.volume.dtype, "uint8");
  assert.deepEqual(r.warnings, []);
  const explicit = restoreVolume(
    pred,
    planRestore(resampled("linear"), { subject: "s1", interpolation: "linear" }),
  );
  assert.equal(explicit.interpolation, "linear");
  assert.equal(explicit.volume.dtype, "float32");
  // a float prediction with another affine: the recorded grid is used, with a warning
  const moved = makeVolume({ shape: [10, 12, 14], dtype: "float32", affine: obliqueAffine() });
  const w = restoreVolume(moved, plan);
  assert.equal(w.interpolation, "linear");
  assert.match(w.warnings[0], /the prediction's own affine differs from the preprocessed grid/);
  assert.throws(
    () => restoreVolume(makeVolume({ shape: [5, 6, 7] }), plan),
    /Cannot restore a prediction of shape 5x6x7: subject "s1" was preprocessed to 10x12x14 \(role "image"\)/,
  );
});

Deno.test("planRestore refuses random augmentation, unknown subjects and roles without an input grid", () => {
  const aug = provenance([], [{ step: "augment", params: { copies: 1, transforms: [] } }]);
  assert.throws(
    () => planRestore(aug, { subject: "s1" }),
    /steps\[1\] \(augment\) is random augmentation/,
  );
  assert.throws(
    () => planRestore(resampled("linear"), { subject: "x" }),
    /the provenance has no such subject \(it has "s1"\)/,
  );
  assert.throws(
    () => planRestore(resampled("linear"), { subject: "s1", role: "pet" }),
    /Cannot restore onto role "pet" of subject "s1": it has no input grid \(roles: image, label\)/,
  );
});

Deno.test("planRestore finds the input of a role made by stack (into) through its first stacked role", () => {
  const p = provenance([{
    index: 1,
    name: "stack",
    copy: 0,
    seed: 0,
    params: { roles: ["label", "image"], into: "both" },
    record: {},
    items: [{
      role: "both",
      dtype: "uint8",
      shape: [5, 6, 7],
      frames: 2,
      spacing: [0.9, 1.1, 2.5],
      affine,
    }],
    ms: 0,
  }], []);
  // bindRecipe needs registered steps only: the provenance's recipe here lists none but load/save
  const plan = planRestore(p, { subject: "s1", role: "both" });
  assert.equal(plan.input.role, "label");
  assert.equal(plan.interpolation, "nearest");
});

Deno.test("npyVolume reads (X,Y,Z), (C,X,Y,Z) and (X,Y,Z,C) in C or Fortran order onto x-fastest frames", () => {
  const grid = { shape: [2, 3, 4] as [number, number, number], affine };
  const want = (x: number, y: number, z: number, c: number) => x + 10 * y + 100 * z + 1000 * c;
  const build = (dims: number[], at: (idx: number[]) => number, fortran: boolean) => {
    const n = dims.reduce((a, b) => a * b, 1);
    const data = new Int16Array(n);
    const idx = new Array(dims.length).fill(0);
    for (let o = 0; o < n; o++) {
      data[o] = at(idx);
      // advance: Fortran → first axis fastest, C → last axis fastest
      const order = fortran ? dims.map((_, a) => a) : dims.map((_, a) => dims.length - 1 - a);
      for (const a of order) {
        if (++idx[a] < dims[a]) break;
        idx[a] = 0;
      }
    }
    return { dtype: "int16" as const, shape: dims, fortranOrder: fortran, data };
  };
  for (const fortran of [false, true]) {
    const v3 = npyVolume(build([2, 3, 4], ([x, y, z]) => want(x, y, z, 0), fortran), grid, {
      file: "p",
    });
    assert.equal(v3.frames, 1);
    assert.deepEqual([...v3.data], [
      ...makeVolume({ shape: [2, 3, 4], fn: (x, y, z) => want(x, y, z, 0) }).data,
    ]);
    const cf = npyVolume(build([2, 2, 3, 4], ([c, x, y, z]) => want(x, y, z, c), fortran), grid, {
      file: "p",
    });
    const cl = npyVolume(build([2, 3, 4, 2], ([x, y, z, c]) => want(x, y, z, c), fortran), grid, {
      file: "p",
    });
    const batch = npyVolume(
      build([1, 2, 2, 3, 4], ([, c, x, y, z]) => want(x, y, z, c), fortran),
      grid,
      { file: "p" },
    );
    const expect = [...makeVolume({ shape: [2, 3, 4], frames: 2, fn: want }).data];
    assert.deepEqual([...cf.data], expect);
    assert.deepEqual([...cl.data], expect);
    assert.deepEqual([...batch.data], expect);
  }
  assert.throws(
    () => npyVolume(build([3, 3, 4], () => 0, false), grid, { file: "p.npy" }),
    /Cannot restore "p.npy": its shape \(3, 3, 4\) is not the preprocessed grid 2x3x4/,
  );
});
