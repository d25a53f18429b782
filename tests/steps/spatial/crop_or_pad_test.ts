import assert from "node:assert/strict";
import { cropOrPad } from "../../../src/steps/spatial/crop_or_pad.ts";
import type { Subject } from "../../../src/steps/step.ts";
import { applyAffine, invertAffine } from "../../../src/volume/affine.ts";
import { frameLength, numericData, type Volume } from "../../../src/volume/volume.ts";
import { planGeometry } from "../../../src/runner/plan.ts";
import { cropOrPadTransform } from "../../../src/steps/augment/crop_or_pad_transform.ts";
import { createRng } from "../../../src/random/rng.ts";
import { HAVE_SCIPY, runScipy } from "../../volume/_scipy.ts";
import { itemOf, makeContext, makeSubject, makeVolume } from "../../_volumes.ts";

/**
 * numpy reference: per axis, TorchIO CropOrPad's split of a difference d (ini = ceil(d / 2) at
 * the start, fin = floor(d / 2) at the end) for `center`, everything at the end for `start`,
 * at the start for `end`; np.pad(constant) then slicing; optional centring on
 * scipy.ndimage.center_of_mass.
 */
const NUMPY_CROP_OR_PAD = `
import math
def arr(v):
    return np.array(v["data"], dtype=float).reshape(v["shape"], order="F")
out = {}
shape = inp["shape"]
size = inp["size"]
if inp["centerOn"] is not None:
    m = arr(inp["roles"][inp["centerOn"]]) != 0
    if m.ndim == 4: m = m.any(axis=3)
    c = nd.center_of_mass(m)
    # nearest window centre, ties half away from zero
    origin = [int(np.sign(x) * math.floor(abs(x) + 0.5)) for x in (ci - (s - 1) / 2 for ci, s in zip(c, size))]
else:
    origin = []
    for n, s in zip(shape, size):
        d = n - s
        if inp["anchor"] == "start": origin.append(0)
        elif inp["anchor"] == "end": origin.append(d)
        elif d >= 0: origin.append(math.ceil(d / 2))           # crop: ini = ceil
        else: origin.append(-math.ceil(-d / 2))                # pad: ini = ceil
for role, v in inp["roles"].items():
    a = arr(v)
    before = [max(0, -o) for o in origin]
    after = [max(0, o + s - n) for o, s, n in zip(origin, size, shape)]
    widths = list(zip(before, after)) + ([(0, 0)] if a.ndim == 4 else [])
    a = np.pad(a, widths, mode="constant", constant_values=inp["fill"][role])
    st = [o + b for o, b in zip(origin, before)]
    a = a[st[0]:st[0] + size[0], st[1]:st[1] + size[1], st[2]:st[2] + size[2]]
    out[role] = a.flatten(order="F").tolist()
out = {"origin": origin, "roles": out}
`;

function asInput(v: Volume) {
  const shape = v.frames > 1 ? [...v.shape, v.frames] : [...v.shape];
  return { shape, data: Array.from(numericData(v), (x) => x * v.slope + v.inter) };
}

function subject(): Subject {
  const image = makeVolume({
    shape: [7, 6, 9],
    frames: 2,
    dtype: "int16",
    slope: 2,
    inter: -3,
    fn: (i, j, k, t) => 5 + i + 10 * j + 100 * k - 7 * t,
  });
  const label = makeVolume({
    shape: [7, 6, 9],
    dtype: "uint8",
    fn: (i, j, k) => (i >= 4 && j <= 1 && k >= 5 && k <= 7 ? 3 : 0),
  });
  return makeSubject({ image, label });
}

/** Every output voxel inside the input holds the input voxel at the same world position. */
function assertOverlays(out: Volume, input: Volume, fill: number) {
  const back = invertAffine(input.affine);
  const [mx, my] = out.shape, [nx, ny, nz] = input.shape;
  for (let t = 0; t < out.frames; t++) {
    for (let k = 0; k < out.shape[2]; k++) {
      for (let j = 0; j < my; j++) {
        for (let i = 0; i < mx; i++) {
          const [a, b, c] = applyAffine(back, applyAffine(out.affine, [i, j, k])).map(Math.round);
          const got = Number(out.data[t * frameLength(out) + i + mx * (j + my * k)]) * out.slope +
            out.inter;
          const inside = a >= 0 && a < nx && b >= 0 && b < ny && c >= 0 && c < nz;
          const want = inside
            ? Number(input.data[t * frameLength(input) + a + nx * (b + ny * c)]) * input.slope +
              input.inter
            : fill;
          assert.equal(got, want);
        }
      }
    }
  }
}

const CASES: Record<string, unknown>[] = [
  { size: [4, 6, 12] }, // crop odd (7 → 4), keep, pad odd (9 → 12)
  { size: [10, 3, 8] }, // pad odd, crop odd, crop odd from odd
  { size: [5, 9, 9], anchor: "start" },
  { size: [9, 2, 4], anchor: "end", fill: { image: -101, label: 7 } },
  { size: [6, 5, null], fill: -41 },
  { size: [6, 5, 5], centerOn: "label" },
  { size: [9, 9, 9], centerOn: "label", anchor: "end" },
];

for (const c of CASES) {
  Deno.test({
    name: `crop-or-pad matches numpy slicing/padding (TorchIO CropOrPad split): ${
      JSON.stringify(c)
    }`,
    ignore: !HAVE_SCIPY,
    async fn() {
      const s = subject();
      const p = cropOrPad.params.parse(c);
      const ctx = makeContext();
      const out = cropOrPad.apply(s, p, ctx);
      const rec = out.record!;
      const fill = rec.fill as Record<string, number>;
      const image = itemOf(s, "image").volume;
      assert.equal(
        fill.image,
        typeof c.fill === "number" ? c.fill : c.fill ? -101 : 5 * 2 - 3 - 14,
      );
      const size = (c.size as (number | null)[]).map((n, a) => n ?? image.shape[a]);
      const ref = await runScipy(NUMPY_CROP_OR_PAD, {
        shape: image.shape,
        size,
        anchor: p.anchor,
        centerOn: p.centerOn ?? null,
        fill,
        roles: Object.fromEntries(s.items.map((it) => [it.role, asInput(it.volume)])),
      }) as { origin: number[]; roles: Record<string, number[]> };
      assert.deepEqual(rec.origin, ref.origin);
      assert.deepEqual(ctx.warnings, []);
      for (const it of out.subject.items) {
        const v = it.volume, input = itemOf(s, it.role).volume;
        assert.deepEqual([...v.shape], size);
        assert.equal(v.frames, input.frames);
        assert.deepEqual(asInput(v).data, ref.roles[it.role], it.role);
        assert.equal(v.dtype, input.dtype, "fill storable: type kept");
        assertOverlays(v, input, fill[it.role]);
      }
      const planned = cropOrPad.plan!(image, p);
      assert.deepEqual(planned.shape, size);
      if (!p.centerOn) assert.deepEqual(planned.affine, out.subject.items[0].volume.affine);
      assert.equal(cropOrPad.planVaries!(p), p.centerOn !== undefined);
    },
  });
}

Deno.test("crop-or-pad records the crop box and the padding per axis", () => {
  const s = subject();
  const out = cropOrPad.apply(s, cropOrPad.params.parse({ size: [4, 9, 9] }), makeContext());
  assert.deepEqual(out.record, {
    origin: [2, -2, 0],
    inputShape: [7, 6, 9],
    shape: [4, 9, 9],
    crop: { start: [2, 0, 0], stop: [6, 6, 9] },
    pad: { before: [0, 2, 0], after: [0, 1, 0] },
    fill: { image: -7, label: 0 },
  });
});

Deno.test("crop-or-pad moves values to a type holding a fill that is not storable", () => {
  const image = makeVolume({ shape: [3, 3, 3], dtype: "uint8", fn: (i) => i });
  const label = makeVolume({ shape: [3, 3, 3], dtype: "uint8", fn: (i) => i });
  const s = makeSubject({ image, label });
  const p = cropOrPad.params.parse({ size: [5, 3, 3], fill: { image: -0.5, label: -1 } });
  const out = cropOrPad.apply(s, p, makeContext());
  const img = itemOf(out.subject, "image"), lab = itemOf(out.subject, "label");
  assert.equal(img.volume.dtype, "float32");
  assert.match(img.dtypeReason!, /fill -0.5 is not storable in uint8/);
  assert.equal(lab.volume.dtype, "int16");
  assert.deepEqual(Array.from(numericData(img.volume).slice(0, 5)), [-0.5, 0, 1, 2, -0.5]);
  assert.deepEqual(Array.from(numericData(lab.volume).slice(0, 5)), [-1, 0, 1, 2, -1]);
  const bad = cropOrPad.params.parse({ size: [5, 3, 3], fill: { label: 0.5 } });
  assert.throws(() => cropOrPad.apply(s, bad, makeContext()), /label values are integers/);
});

Deno.test("crop-or-pad centred on an empty role falls back to the anchor with a warning", () => {
  const image = makeVolume({ shape: [5, 5, 5] });
  const label = makeVolume({ shape: [5, 5, 5], dtype: "uint8", fn: () => 0 });
  const ctx = makeContext();
  const p = cropOrPad.params.parse({ size: [3, 3, 3], centerOn: "label" });
  const out = cropOrPad.apply(makeSubject({ image, label }), p, ctx);
  assert.deepEqual(out.record!.origin, [1, 1, 1]);
  assert.equal(out.record!.centre, null);
  assert.deepEqual(ctx.warnings, [
    'crop-or-pad: role "label" has no nonzero voxels; window at the center anchor',
  ]);
  assert.throws(
    () => cropOrPad.apply(makeSubject({ image }), p, makeContext()),
    /Cannot centre on role "label": the subject has roles "image"/,
  );
});

Deno.test("crop-or-pad plan: dry runs know the grid, except centred on a label", () => {
  const image = makeVolume();
  const plan = (params: Record<string, unknown>) =>
    planGeometry(
      image,
      {
        steps: [{ definition: cropOrPad, params: cropOrPad.params.parse(params) }],
      } as unknown as Parameters<typeof planGeometry>[1],
    );
  assert.deepEqual(plan({ size: [3, 8, null] })!.shape, [3, 8, 7]);
  assert.equal(plan({ size: [3, 8, null], centerOn: "label" }), undefined);
});

Deno.test("crop-or-pad step and augment transform place a centred window alike (shared code)", () => {
  const grid = { shape: [7, 6, 9] as [number, number, number], affine: makeVolume().affine };
  for (const size of [[4, 9, 2], [10, 3, 8], [7, 6, 9]]) {
    const drawn = cropOrPadTransform.draw(
      createRng(1),
      cropOrPadTransform.params.parse({ size }),
      { grid, pickLabelled: () => null },
    );
    const out = cropOrPad.apply(
      makeSubject({ image: makeVolume({ shape: grid.shape }) }),
      cropOrPad.params.parse({ size }),
      makeContext(),
    );
    assert.deepEqual(drawn.origin, out.record!.origin);
  }
});
