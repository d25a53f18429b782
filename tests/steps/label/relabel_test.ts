import assert from "node:assert/strict";
import { relabel } from "../../../src/steps/label/relabel.ts";
import { validateRecipe } from "../../../src/recipe/validate.ts";
import { RecipeError } from "../../../src/errors.ts";
import type { DType } from "../../../src/volume/dtype.ts";
import { numericData } from "../../../src/volume/volume.ts";
import { HAVE_SCIPY, runScipy } from "../../volume/_scipy.ts";
import { itemOf, makeContext, makeSubject, makeVolume } from "../../_volumes.ts";

/** numpy reference: dict lookup (unmapped kept), np.isin for keep, np.unique ranks for consecutive. */
const NUMPY_RELABEL = `
a = np.array(inp["data"], dtype=np.int64)
m = {int(k): v for k, v in (inp["map"] or {}).items()}
out = np.array([m.get(int(v), int(v)) for v in a], dtype=np.int64)
if inp["keep"] is not None:
    out = np.where(np.isin(out, inp["keep"]), out, 0)
if inp["consecutive"]:
    u = np.unique(out[out != 0])
    out = np.where(out == 0, 0, np.searchsorted(u, out) + 1)
lo, hi = min(0, out.min()), max(0, out.max())
dtype = next(t for t in ("uint8", "int16", "int32") if np.iinfo(t).min <= lo and hi <= np.iinfo(t).max)
out = {"data": out.tolist(), "dtype": dtype}
`;

const VALUES = [0, 1, 2, 3, 4, 7, 300];

function subject(dtype: DType = "int16") {
  const image = makeVolume({ shape: [5, 6, 7], dtype: "int16" });
  const label = makeVolume({
    shape: [5, 6, 7],
    frames: 2,
    dtype,
    fn: (i, j, k, t) => VALUES[(i * 3 + j * 5 + k + t) % VALUES.length],
  });
  return makeSubject({ image, label });
}

const CASES: Record<string, unknown>[] = [
  { map: { 4: 3 } }, // BraTS: 4 → 3, everything else kept (300 keeps int16)
  { map: { 1: 1, 2: 1, 3: 0, 300: 5 } }, // merge, drop, and shrink to uint8
  { keep: [1, 2] },
  { map: { 7: 2 }, keep: [2, 300, 4] },
  { consecutive: true },
  { map: { 1: -1 }, keep: [-1, 7], consecutive: true },
  { map: { 0: 70000 } }, // needs int32
];

for (const c of CASES) {
  Deno.test({
    name: `relabel matches numpy: ${JSON.stringify(c)}`,
    ignore: !HAVE_SCIPY,
    async fn() {
      const s = subject();
      const out = relabel.apply(s, relabel.params.parse(c), makeContext());
      const input = itemOf(s, "label").volume, got = itemOf(out.subject, "label").volume;
      const ref = await runScipy(NUMPY_RELABEL, {
        data: Array.from(numericData(input)),
        map: c.map ?? null,
        keep: c.keep ?? null,
        consecutive: c.consecutive ?? false,
      }) as { data: number[]; dtype: string };
      assert.deepEqual(Array.from(numericData(got)), ref.data);
      assert.equal(got.dtype, ref.dtype);
      assert.equal(got.frames, 2);
      assert.deepEqual(got.affine, input.affine);
      assert.equal(itemOf(out.subject, "image").volume, itemOf(s, "image").volume);
      const mapping = (out.record!.roles as Record<string, { mapping: Record<string, number> }>)
        .label.mapping;
      assert.deepEqual(Object.keys(mapping).map(Number).sort((a, b) => a - b), VALUES);
    },
  });
}

Deno.test("relabel reads scaled label values as real values and refuses non-integers", () => {
  const label = makeVolume({ dtype: "uint8", slope: 2, inter: 1, fn: (i) => i % 3 });
  const out = relabel.apply(
    makeSubject({ label }),
    relabel.params.parse({ map: { 5: 0 } }),
    makeContext(),
  );
  const got = numericData(itemOf(out.subject, "label").volume);
  numericData(label).forEach((raw, n) => assert.equal(got[n], raw === 2 ? 0 : raw * 2 + 1));
  const half = makeVolume({ dtype: "float32", fn: (i) => (i === 3 ? 1.5 : 1) });
  assert.throws(
    () =>
      relabel.apply(
        makeSubject({ label: half }),
        relabel.params.parse({ keep: [1] }),
        makeContext(),
      ),
    /Cannot relabel role "label": voxel 3 holds 1.5, not an integer label value/,
  );
});

function issues(text: string): string[] {
  try {
    validateRecipe(text, "r.yaml");
  } catch (e) {
    if (e instanceof RecipeError) return e.issues.map((i) => `${i.path}: ${i.message}`);
    throw e;
  }
  return [];
}

Deno.test("relabel is a validation error with no label role, on an image role, or with non-integers", () => {
  const recipe = (load: string, step: string) =>
    `version: 1\nsteps:\n  - step: load\n${load}  - step: relabel\n${step}  - step: save\n    name: "{id}_{role}.nii.gz"\n`;
  assert.deepEqual(issues(recipe("    labels: []\n", "    keep: [1]\n")), [
    "steps[1].step: Cannot relabel: the recipe has no label roles (name them in load `labels`)",
  ]);
  assert.deepEqual(issues(recipe("", "    roles: [image]\n    keep: [1]\n")), [
    'steps[1].roles: Cannot relabel role "image": it is not a label role (labels: label)',
  ]);
  assert.deepEqual(issues(recipe("", "    map: { 1.5: 2 }\n")), [
    "steps[1].map: Map keys must be integer label values, e.g. {4: 3}",
  ]);
  assert.deepEqual(issues(recipe("", "    map: { 3: 0.5 }\n")), [
    "steps[1].map.3: Cannot use 0.5: expected an integer",
  ]);
  assert.deepEqual(issues(recipe("", "    consecutive: false\n")), [
    "steps[1]: Give map, keep and/or consecutive: true",
  ]);
  assert.deepEqual(issues(recipe("    labels: [seg]\n", "    map: { 4: 3 }\n")), []);
});
