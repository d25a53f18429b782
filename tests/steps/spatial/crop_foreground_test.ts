import assert from "node:assert/strict";
import { cropForeground } from "../../../src/steps/spatial/crop_foreground.ts";
import type { Subject } from "../../../src/steps/step.ts";
import { applyAffine, invertAffine } from "../../../src/volume/affine.ts";
import { frameLength, type Volume } from "../../../src/volume/volume.ts";
import { HAVE_SCIPY, runScipy } from "../../volume/_scipy.ts";
import { itemOf, makeContext, makeSubject, makeVolume, obliqueAffine } from "../../_volumes.ts";

const SHAPE: [number, number, number] = [9, 8, 11];

/** numpy's answer: bounding box of the foreground, margin clamped, every role sliced. */
const NUMPY_CROP = `
def arr(v):
    return np.array(v["data"], dtype=float).reshape(v["shape"], order="F")
shape = inp["shape"]
mask = np.zeros(shape, bool)
for v in inp["sources"]:
    d = arr(v)
    hit = (d != 0) if inp["above"] is None else (d > inp["above"])
    mask |= hit.any(axis=3) if hit.ndim == 4 else hit
idx = np.nonzero(mask)
if len(idx[0]) == 0:
    out = None
else:
    start = [max(0, int(i.min()) - m) for i, m in zip(idx, inp["margin"])]
    stop = [min(n, int(i.max()) + 1 + m) for i, n, m in zip(idx, shape, inp["margin"])]
    crops = {r: arr(v)[start[0]:stop[0], start[1]:stop[1], start[2]:stop[2]].flatten(order="F").tolist()
             for r, v in inp["roles"].items()}
    out = {"start": start, "stop": stop, "crops": crops, "voxels": int(mask.sum())}
`;

function asInput(v: Volume) {
  const shape = v.frames > 1 ? [...v.shape, v.frames] : [...v.shape];
  return { shape, data: Array.from(v.data, Number) };
}

function apply(subject: Subject, params: Record<string, unknown>) {
  const ctx = makeContext();
  const out = cropForeground.apply(subject, cropForeground.params.parse(params), ctx);
  return { ...out, warnings: ctx.warnings };
}

/** Every output voxel holds the input voxel at the same world position (difference 0). */
function assertOverlays(out: Volume, input: Volume) {
  const back = invertAffine(input.affine);
  const [mx, my] = out.shape, [nx, ny] = input.shape;
  for (let t = 0; t < out.frames; t++) {
    for (let k = 0; k < out.shape[2]; k++) {
      for (let j = 0; j < my; j++) {
        for (let i = 0; i < mx; i++) {
          const ijk = applyAffine(back, applyAffine(out.affine, [i, j, k]));
          ijk.forEach((x) => assert.ok(Math.abs(x - Math.round(x)) < 1e-9, "voxel centres kept"));
          const [a, b, c] = ijk.map(Math.round);
          assert.equal(
            out.data[t * frameLength(out) + i + mx * (j + my * k)],
            input.data[t * frameLength(input) + a + nx * (b + ny * c)],
          );
        }
      }
    }
  }
}

// Foreground: a blob in t1 frame 1 only and another in t2; a label inside the first blob.
const blob = (lo: number[], hi: number[]) => (i: number, j: number, k: number) =>
  i >= lo[0] && i <= hi[0] && j >= lo[1] && j <= hi[1] && k >= lo[2] && k <= hi[2];

function subject(): Subject {
  const inA = blob([2, 3, 4], [4, 5, 6]), inB = blob([5, 1, 5], [6, 2, 8]);
  const t1 = makeVolume({
    shape: SHAPE,
    frames: 2,
    dtype: "int16",
    fn: (i, j, k, t) => (t === 1 && inA(i, j, k) ? 100 + i + j * 3 - k : 0),
  });
  const t2 = makeVolume({
    shape: SHAPE,
    dtype: "float32",
    fn: (i, j, k) => (inB(i, j, k) ? -600 + i * 0.5 : -1000),
  });
  const label = makeVolume({
    shape: SHAPE,
    dtype: "uint8",
    fn: (i, j, k) => (blob([3, 4, 5], [3, 4, 6])(i, j, k) ? 2 : 0),
  });
  return makeSubject({ t1, t2, label });
}

const CASES: { name: string; params: Record<string, unknown>; sources: string[] }[] = [
  { name: "nonzero of the images (nnU-Net)", params: {}, sources: ["t1", "t2"] },
  { name: "of: label, margin 2", params: { of: "label", margin: 2 }, sources: ["label"] },
  { name: "above: -800 of t2", params: { of: "t2", above: -800 }, sources: ["t2"] },
  {
    name: "above: 110 of the images, margin [1, 9, 0]",
    params: { above: 110, margin: [1, 9, 0] },
    sources: ["t1", "t2"],
  },
];

for (const c of CASES) {
  Deno.test({
    name: `crop-foreground crops every role to numpy's bounding box: ${c.name}`,
    ignore: !HAVE_SCIPY,
    async fn() {
      const s = subject();
      const { subject: out, record, warnings } = apply(s, c.params);
      const m = c.params.margin ?? 0;
      const margin = typeof m === "number" ? [m, m, m] : m;
      const ref = await runScipy(NUMPY_CROP, {
        shape: SHAPE,
        above: c.params.above ?? null,
        margin,
        sources: c.sources.map((r) => asInput(itemOf(s, r).volume)),
        roles: Object.fromEntries(s.items.map((it) => [it.role, asInput(it.volume)])),
      }) as { start: number[]; stop: number[]; crops: Record<string, number[]>; voxels: number };
      assert.deepEqual(warnings, []);
      assert.deepEqual(record!.box, { start: ref.start, stop: ref.stop });
      assert.equal(record!.voxels, ref.voxels);
      assert.deepEqual(record!.inputShape, SHAPE);
      for (const it of out.items) {
        const input = itemOf(s, it.role).volume;
        assert.deepEqual(Array.from(it.volume.data, Number), ref.crops[it.role], it.role);
        assert.deepEqual(record!.shape, [...it.volume.shape]);
        assert.equal(it.volume.dtype, input.dtype, "storage type kept");
        assert.equal(it.volume.frames, input.frames);
        assertOverlays(it.volume, input);
      }
    },
  });
}

Deno.test("crop-foreground margin in mm is ceil(mm / spacing) voxels, clamped to the volume", () => {
  // Spacing 0.9 × 1.1 × 2.5 mm: 2 mm → 3, 2, 1 voxels.
  const image = makeVolume({
    shape: SHAPE,
    affine: obliqueAffine(),
    fn: (i, j, k) => (i === 1 && j === 4 && k === 5 ? 7 : 0),
  });
  const { record } = apply(makeSubject({ image }), { margin: 2, units: "mm" });
  assert.deepEqual(record!.margin, [3, 2, 1]);
  assert.deepEqual(record!.box, { start: [0, 2, 4], stop: [5, 7, 7] });
});

Deno.test("crop-foreground counts NaN as foreground (numpy d != 0)", () => {
  const image = makeVolume({
    shape: SHAPE,
    dtype: "float32",
    fn: (i, j, k) => (i === 7 && j === 6 && k === 9 ? NaN : 0),
  });
  const { record } = apply(makeSubject({ image }), {});
  assert.deepEqual(record!.box, { start: [7, 6, 9], stop: [8, 7, 10] });
});

Deno.test("crop-foreground keeps the whole volume with a warning when the foreground is empty", () => {
  const image = makeVolume({ shape: SHAPE, fn: () => 0 });
  const label = makeVolume({ shape: SHAPE, dtype: "uint8", fn: () => 0 });
  const s = makeSubject({ image, label });
  const { subject: out, record, warnings } = apply(s, { of: "label" });
  assert.equal(itemOf(out, "image").volume, image);
  assert.deepEqual(record!.box, { start: [0, 0, 0], stop: SHAPE });
  assert.deepEqual(warnings, [
    "crop-foreground: no nonzero voxels of label; the whole volume is kept",
  ]);
});

Deno.test("crop-foreground fails on roles of different grids, an unknown role, or labels only", () => {
  const image = makeVolume({ shape: SHAPE });
  const other = makeVolume({ shape: [9, 8, 10] });
  assert.throws(
    () => apply(makeSubject({ image, label: other }), {}),
    /^Error: Cannot crop to the foreground: roles "image" and "label" are not on one grid \(shapes differ \(9x8x11 vs 9x8x10\)\)/,
  );
  assert.throws(
    () => apply(makeSubject({ image }), { of: "mask" }),
    /Cannot crop to the foreground of role "mask": the subject has roles "image"/,
  );
  assert.throws(
    () => apply(makeSubject({ label: image }), {}),
    /the subject has only label roles; name one with `of`/,
  );
  assert.equal(cropForeground.params.safeParse({ margin: -1 }).success, false);
});
