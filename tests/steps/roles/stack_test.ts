import assert from "node:assert/strict";
import { stack } from "../../../src/steps/roles/stack.ts";
import { validateRecipe, validateRecipePlan } from "../../../src/recipe/validate.ts";
import { planOutputs } from "../../../src/recipe/output_names.ts";
import { RecipeError } from "../../../src/errors.ts";
import { numericData } from "../../../src/volume/volume.ts";
import { HAVE_SCIPY, runScipy } from "../../volume/_scipy.ts";
import { itemOf, makeContext, makeSubject, makeVolume } from "../../_volumes.ts";

const SHAPE: [number, number, number] = [5, 6, 7];

function roles() {
  return {
    t1: makeVolume({ shape: SHAPE, dtype: "int16", frames: 2, fn: (i, j, k, t) => i - j + k * t }),
    t2: makeVolume({ shape: SHAPE, dtype: "int16", fn: (i, j, k) => 7 * i + j - k }),
    flair: makeVolume({ shape: SHAPE, dtype: "int16", fn: (i, j, k) => i * j * k - 20 }),
    label: makeVolume({ shape: SHAPE, dtype: "uint8", fn: (i) => i % 2 }),
  };
}

/** numpy: np.concatenate of the roles' (x, y, z, c) arrays along the channel axis. */
const NUMPY_STACK = `
arrs = []
for v in inp["roles"]:
    a = np.array(v["data"], dtype=float).reshape(v["shape"], order="F")
    arrs.append(a if a.ndim == 4 else a[..., None])
s = np.concatenate(arrs, axis=3)
out = {"shape": list(s.shape), "data": s.flatten(order="F").tolist()}
`;

Deno.test({
  name: "stack concatenates roles into channels in order, bit for bit, as numpy concatenate",
  ignore: !HAVE_SCIPY,
  async fn() {
    const r = roles();
    const s = makeSubject(r);
    const p = stack.params.parse({ roles: ["t2", "t1", "flair"], into: "image" });
    const out = stack.apply(s, p, makeContext());
    assert.deepEqual(out.subject.items.map((it) => it.role), ["image", "label"]);
    const img = itemOf(out.subject, "image");
    assert.equal(img.volume.dtype, "int16");
    assert.equal(img.volume.frames, 4);
    assert.equal(img.dtypeReason, undefined);
    assert.deepEqual(img.volume.affine, r.t1.affine);
    const asIn = (v: typeof r.t1) => ({
      shape: v.frames > 1 ? [...v.shape, v.frames] : [...v.shape],
      data: Array.from(numericData(v)),
    });
    const ref = await runScipy(NUMPY_STACK, { roles: [asIn(r.t2), asIn(r.t1), asIn(r.flair)] }) as {
      shape: number[];
      data: number[];
    };
    assert.deepEqual([...img.volume.shape, img.volume.frames], ref.shape);
    assert.deepEqual(Array.from(numericData(img.volume)), ref.data);
    assert.deepEqual(out.record, {
      into: "image",
      channels: ["t2", "t1", "t1", "flair"],
      frames: { t2: 1, t1: 2, flair: 1 },
      dtype: "int16",
    });
    assert.equal(itemOf(out.subject, "label").volume, r.label);
  },
});

Deno.test("stack keeps real values exactly across types and never rounds them into one input type", () => {
  const a = makeVolume({ shape: SHAPE, dtype: "int16", slope: 0.5, inter: 1, fn: (i) => i });
  const b = makeVolume({ shape: SHAPE, dtype: "float32", fn: (i, j) => i / 4 + j });
  const c = makeVolume({ shape: SHAPE, dtype: "int32", fn: (i) => 100000 + i });
  const s = makeSubject({ a, b, c });
  const out = stack.apply(s, stack.params.parse({ roles: ["a", "b", "c"] }), makeContext());
  const v = itemOf(out.subject, "a");
  assert.equal(v.volume.dtype, "float64");
  assert.match(
    v.dtypeReason!,
    /^stack: channels from different types \(a int16, b float32, c int32\)/,
  );
  const n = 5 * 6 * 7, got = numericData(v.volume);
  [a, b, c].forEach((src, ch) => {
    const d = numericData(src);
    for (let i = 0; i < n; i++) assert.equal(got[ch * n + i], d[i] * src.slope + src.inter);
  });
  const small = stack.apply(
    makeSubject({ a: makeVolume({ dtype: "uint8" }), b: makeVolume({ dtype: "float32" }) }),
    stack.params.parse({ roles: ["a", "b"] }),
    makeContext(),
  );
  assert.equal(itemOf(small.subject, "a").volume.dtype, "float32");
});

Deno.test("stack fails on different grids (grid check message), missing roles, labels with images", () => {
  const r = roles();
  const moved = makeVolume({
    shape: SHAPE,
    affine: r.t1.affine.map((row, i) => i === 0 ? [row[0], row[1], row[2], row[3] + 5] : row),
  });
  assert.throws(
    () =>
      stack.apply(
        makeSubject({ t1: r.t1, t2: moved }),
        stack.params.parse({ roles: ["t1", "t2"] }),
        makeContext(),
      ),
    /^Error: Cannot stack "t1", "t2": roles "t1" and "t2" are not on one grid \(corners 5 mm apart \(more than 0.001 mm\)\): t1 5x6x7 @ .*; resample one onto the other first \(SPEC §7\)$/,
  );
  assert.throws(
    () => stack.apply(makeSubject(r), stack.params.parse({ roles: ["t1", "pd"] }), makeContext()),
    /Cannot stack role "pd": the subject has roles "t1", "t2", "flair", "label"/,
  );
  assert.throws(
    () =>
      stack.apply(makeSubject(r), stack.params.parse({ roles: ["t1", "label"] }), makeContext()),
    /Cannot stack label role\(s\) "label" with image roles/,
  );
  assert.throws(
    () =>
      stack.apply(
        makeSubject(r),
        stack.params.parse({ roles: ["t1", "t2"], into: "flair" }),
        makeContext(),
      ),
    /Cannot stack into "flair": the subject already has that role/,
  );
  assert.equal(stack.params.safeParse({ roles: ["t1", "t1"] }).success, false);
});

Deno.test("stack of labels with images is a validation error; output names follow the stacked role", () => {
  const recipe = (roles: string) =>
    `version: 1\nsteps:\n  - step: load\n    labels: [label]\n  - step: stack\n    roles: ${roles}\n    into: image\n  - step: save\n    name: "{id}_{role}_{stem}.nii.gz"\n`;
  try {
    validateRecipe(recipe("[t1, label]"), "r.yaml");
    assert.fail("expected a RecipeError");
  } catch (e) {
    assert.ok(e instanceof RecipeError);
    assert.deepEqual(e.issues.map((i) => `${i.path}: ${i.message}`), [
      'steps[1].roles: Cannot stack label role(s) "label" with image role(s) "t1": stack images and labels separately',
    ]);
  }
  const { plan } = validateRecipePlan(recipe("[t1, t2, flair]"), "r.yaml");
  const paths = {
    t1: "/d/s1_t1.nii.gz",
    t2: "/d/s1_t2.nii.gz",
    flair: "/d/s1_flair.nii.gz",
    label: "/d/s1_seg.nii.gz",
  };
  const { outputs, issues } = planOutputs(plan, [{ id: "s1", row: 2, paths }]);
  assert.deepEqual(issues, []);
  assert.deepEqual(outputs.map((o) => o.path), ["s1_image_s1_t1.nii.gz", "s1_label_s1_seg.nii.gz"]);
});
