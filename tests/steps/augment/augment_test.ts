import assert from "node:assert/strict";
import { applyAffine } from "../../../src/volume/affine.ts";
import { itemOf, makeContext, obliqueAffine } from "../../_volumes.ts";
import { pairedSubject, runAugment } from "./_subject.ts";
import { augment } from "../../../src/steps/augment/augment.ts";
import { encodeForSave } from "../../../src/volume/encode.ts";
import type { Subject } from "../../../src/steps/step.ts";

const ISSUE_TRANSFORMS = [
  { flip: { axes: [0], p: 0.5 } },
  { affine: { rotate: [-20, 20], scale: [0.9, 1.1], translate: [-3, 3] } },
  { elastic: { maxDisplacement: 4, controlPoints: 7 } },
  { noise: { std: [0, 20] } },
];

const bytes = (s: Subject, r: string) => {
  const d = itemOf(s, r).volume.data;
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
};

Deno.test("augment with identity parameters returns the input exactly", () => {
  const s = pairedSubject({
    shape: [5, 6, 7],
    imageDType: "int16",
    image: (i, j, k) => i * 7 - j * 3 + k * k,
  });
  for (const interpolation of ["nearest", "linear", "bspline"]) {
    const r = runAugment(s, {
      interpolation,
      transforms: [
        { flip: { p: 0 } },
        { affine: { rotate: 0, scale: [1, 1], translate: 0 } },
        { elastic: { maxDisplacement: 0 } },
        { "crop-or-pad": { size: [null, null, null] } },
        { crop: { size: [5, 6, 7] } },
      ],
    });
    for (const it of s.items) {
      const out = itemOf(r.subject, it.role).volume;
      assert.deepEqual(out.data, it.volume.data, `${interpolation} ${it.role}`);
      assert.deepEqual(out.affine, it.volume.affine);
      assert.equal(out.dtype, it.volume.dtype);
    }
  }
});

Deno.test("augment 90-degree rotation about z equals an index permutation (nearest and linear)", () => {
  for (const n of [6, 7]) {
    const affine = [[1.5, 0, 0, -4], [0, 1.5, 0, 2], [0, 0, 1.5, 9], [0, 0, 0, 1]];
    const f = (i: number, j: number, k: number) => Math.sin(i * 1.3 + j * 0.4) * 100 + k * 7 + j;
    const s = pairedSubject({ shape: [n, n, n], affine, image: f });
    for (const interpolation of ["nearest", "linear"]) {
      const r = runAugment(s, {
        interpolation,
        transforms: [{ affine: { rotate: [[0, 0], [0, 0], [90, 90]] } }],
      });
      assert.deepEqual(r.record?.interpolation, { image: "nearest", label: "nearest" });
      for (const name of ["image", "label"]) {
        const src = itemOf(s, name).volume.data, out = itemOf(r.subject, name).volume.data;
        // content at (i, j) moves to (n-1-j, i): out[a, b, k] = in[b, n-1-a, k]
        for (let k = 0; k < n; k++) {
          for (let b = 0; b < n; b++) {
            for (let a = 0; a < n; a++) {
              assert.equal(
                out[a + n * (b + n * k)],
                src[b + n * (n - 1 - a + n * k)],
                `${name} ${interpolation}`,
              );
            }
          }
        }
      }
    }
  }
});

Deno.test("augment flip twice is the identity, once reverses the axis", () => {
  const s = pairedSubject({ shape: [5, 6, 7] });
  const twice = runAugment(s, {
    transforms: [{ flip: { axes: [0, 1, 2] } }, { flip: { axes: [0, 1, 2] } }],
  });
  for (const it of s.items) {
    assert.deepEqual(itemOf(twice.subject, it.role).volume.data, it.volume.data);
  }
  const once = runAugment(s, { transforms: [{ flip: { axes: [1] } }] });
  const src = itemOf(s, "image").volume.data, out = itemOf(once.subject, "image").volume.data;
  for (let k = 0; k < 7; k++) {
    for (let j = 0; j < 6; j++) {
      for (let i = 0; i < 5; i++) {
        assert.equal(out[i + 5 * (j + 6 * k)], src[i + 5 * (5 - j + 6 * k)]);
      }
    }
  }
  assert.deepEqual(once.record?.transforms, [{
    name: "flip",
    fired: true,
    flips: [false, true, false],
  }]);
});

Deno.test("augment label outputs contain only input label values", () => {
  const s = pairedSubject({
    shape: [15, 13, 11],
    label: (i, j, k) => [0, 3, 7, 250][(i + 2 * j + 3 * k) % 4],
  });
  const allowed = new Set([0, 3, 7, 250]);
  for (let seed = 0; seed < 10; seed++) {
    const r = runAugment(s, { interpolation: "bspline", transforms: ISSUE_TRANSFORMS }, seed);
    const out = itemOf(r.subject, "label").volume;
    assert.equal(out.dtype, "uint8");
    for (const v of out.data) assert.ok(allowed.has(Number(v)), `value ${v}`);
  }
});

function centroid(s: Subject, name: string, weight: (v: number) => number): number[] {
  const v = itemOf(s, name).volume, [nx, ny] = v.shape;
  const c = [0, 0, 0];
  let w = 0;
  for (let q = 0; q < v.data.length; q++) {
    const m = weight(Number(v.data[q]) * v.slope + v.inter);
    if (m === 0) continue;
    c[0] += m * (q % nx),
      c[1] += m * (Math.floor(q / nx) % ny),
      c[2] += m * Math.floor(q / (nx * ny));
    w += m;
  }
  return applyAffine(v.affine, c.map((x) => x / w));
}

Deno.test("augment keeps paired image and label aligned (a cube's centroid moves identically)", () => {
  const inCube = (i: number, j: number, k: number) =>
    i >= 6 && i < 14 && j >= 5 && j < 12 && k >= 4 && k < 9;
  const s = pairedSubject({
    shape: [21, 19, 13],
    affine: obliqueAffine(),
    image: (i, j, k) => (inCube(i, j, k) ? 100 : 0),
    label: (i, j, k) => (inCube(i, j, k) ? 1 : 0),
  });
  const before = centroid(s, "label", (v) => v);
  for (let seed = 1; seed <= 4; seed++) {
    const r = runAugment(s, {
      fill: 0,
      transforms: [
        { affine: { rotate: 15, scale: [0.9, 1.1], translate: 4 } },
        { elastic: { maxDisplacement: 3, controlPoints: 5 } },
      ],
    }, seed);
    const lab = centroid(r.subject, "label", (v) => v),
      img = centroid(r.subject, "image", (v) => v / 100);
    const moved = Math.hypot(...lab.map((x, a) => x - before[a]));
    assert.ok(moved > 1, `centroid moved ${moved} mm`);
    assert.ok(Math.hypot(...lab.map((x, a) => x - img[a])) < 0.6, `label ${lab} image ${img}`);
  }
});

Deno.test("augment affine is world-space correct on an oblique anisotropic grid", () => {
  const inCube = (i: number, j: number, k: number) =>
    i >= 8 && i < 14 && j >= 7 && j < 12 && k >= 3 && k < 7;
  const s = pairedSubject({
    shape: [23, 21, 11],
    affine: obliqueAffine(),
    image: (i, j, k) => (inCube(i, j, k) ? 1 : 0),
  });
  const before = centroid(s, "image", (v) => v);
  const shift = runAugment(s, {
    transforms: [{ affine: { translate: [[5, 5], [-3, -3], [2, 2]] } }],
  });
  const after = centroid(shift.subject, "image", (v) => v);
  [5, -3, 2].forEach((t, a) =>
    assert.ok(Math.abs(after[a] - before[a] - t) < 0.05, `axis ${a}: ${after} vs ${before}`)
  );
  const v = itemOf(s, "image").volume;
  const c = applyAffine(v.affine, v.shape.map((n) => (n - 1) / 2));
  const turn = runAugment(s, {
    fill: 0,
    transforms: [{ affine: { rotate: [[0, 0], [0, 0], [90, 90]] } }],
  });
  const got = centroid(turn.subject, "image", (x) => x);
  const want = [c[0] - (before[1] - c[1]), c[1] + (before[0] - c[0]), before[2]];
  assert.ok(Math.hypot(...got.map((x, a) => x - want[a])) < 0.05, `rotated ${got} want ${want}`);
});

Deno.test("augment with the same seed gives the same bytes, a different seed different ones", () => {
  const s = pairedSubject({});
  const a = runAugment(s, { transforms: ISSUE_TRANSFORMS }, 11);
  const b = runAugment(s, { transforms: ISSUE_TRANSFORMS }, 11);
  const c = runAugment(s, { transforms: ISSUE_TRANSFORMS }, 12);
  assert.deepEqual(bytes(a.subject, "image"), bytes(b.subject, "image"));
  assert.deepEqual(bytes(a.subject, "label"), bytes(b.subject, "label"));
  assert.deepEqual(a.record, b.record);
  assert.notDeepEqual(bytes(a.subject, "image"), bytes(c.subject, "image"));
});

Deno.test("augment replay from the recorded values reproduces the bytes exactly", () => {
  const s = pairedSubject({ shape: [12, 11, 9], affine: obliqueAffine() });
  const transforms = [
    ...ISSUE_TRANSFORMS,
    { crop: { size: [8, 8, 6], mode: "foreground", foregroundProbability: 0.5 } },
    { gamma: {} },
    { "scale-shift": { scale: 0.2, shift: 5 } },
    { blur: { std: [0.5, 1.5] } },
    { "bias-field": { order: 2 } },
  ];
  for (let seed = 20; seed < 24; seed++) {
    const first = runAugment(s, { transforms, interpolation: "bspline" }, seed);
    const record = JSON.parse(JSON.stringify(first.record));
    const again = runAugment(s, { transforms, interpolation: "bspline" }, 999, record);
    for (const r of ["image", "label"]) {
      assert.deepEqual(bytes(again.subject, r), bytes(first.subject, r));
    }
    assert.deepEqual(
      itemOf(again.subject, "image").volume.affine,
      itemOf(first.subject, "image").volume.affine,
    );
  }
  const rec = runAugment(s, { transforms: ISSUE_TRANSFORMS }, 1).record!;
  assert.throws(
    () => runAugment(s, { transforms: [...ISSUE_TRANSFORMS].reverse() }, 1, rec),
    /Cannot replay transforms\[0\] "flip": the recipe has "noise" there/,
  );
});

Deno.test("augment keeps the storage type without intensity transforms and makes float32 with them", () => {
  const s = pairedSubject({ imageDType: "int16" });
  const img = itemOf(s, "image").volume;
  const spatial = runAugment(s, { transforms: [{ affine: { rotate: 30 } }] }, 3);
  const out = itemOf(spatial.subject, "image");
  assert.deepEqual(spatial.record?.interpolation, { image: "linear", label: "nearest" });
  // SPEC §2: interpolated values stay real (float32, storage units); save rounds to int16.
  assert.equal(out.volume.dtype, "float32");
  assert.equal(out.volume.slope, img.slope);
  assert.equal(out.dtypeReason, undefined);
  assert.equal(encodeForSave(out, "auto").dtype, "int16");
  const min = Math.min(...Array.from(img.data as Int16Array));
  assert.ok(
    Array.from(out.volume.data as Float32Array).includes(min),
    "fill defaults to the image minimum",
  );
  const noisy = runAugment(
    s,
    { transforms: [{ affine: { rotate: 30 } }, { noise: { std: 1 } }] },
    3,
  );
  const n = itemOf(noisy.subject, "image");
  assert.equal(n.volume.dtype, "float32");
  assert.equal(n.volume.slope, 1);
  assert.equal(n.dtypeReason, "augment: noise makes values fractional");
  assert.equal(itemOf(noisy.subject, "label").volume.dtype, "uint8");
  const filled = runAugment(s, {
    fill: -5,
    transforms: [{ affine: { translate: [[40, 40], [0, 0], [0, 0]] } }],
  });
  assert.ok((itemOf(filled.subject, "image").volume.data as Float32Array).every((v) => v === -5));
  assert.ok((itemOf(filled.subject, "label").volume.data as Uint8Array).every((v) => v === 0));
});

Deno.test("augment does not mutate its input and reports copies", () => {
  const s = pairedSubject({});
  const copy = s.items.map((it) => Array.from(it.volume.data as Float32Array));
  runAugment(s, { transforms: [...ISSUE_TRANSFORMS, { gamma: {} }] }, 5);
  s.items.forEach((it, q) => assert.deepEqual(Array.from(it.volume.data as Float32Array), copy[q]));
  assert.equal(
    augment.copies!(augment.params.parse({ copies: 3, transforms: ISSUE_TRANSFORMS })),
    3,
  );
  assert.equal(augment.copies!(augment.params.parse({ transforms: ISSUE_TRANSFORMS })), 1);
  const r = augment.apply!(
    s,
    augment.params.parse({ transforms: ISSUE_TRANSFORMS }),
    makeContext({ seed: 1, copy: 2 }),
  );
  assert.equal(r.subject.copy, 2);
});

Deno.test("augment refuses roles on different grids", () => {
  const a = pairedSubject({ shape: [5, 6, 7] }), b = pairedSubject({ shape: [5, 6, 8] });
  const s = { ...a, items: [a.items[0], b.items[1]] };
  assert.throws(
    () => runAugment(s, { transforms: ISSUE_TRANSFORMS }),
    /Cannot augment "s1": roles "image" and "label" are on different grids/,
  );
});

Deno.test("augment 4D images: every frame gets the same spatial map", () => {
  const s = pairedSubject({
    shape: [7, 6, 5],
    frames: 2,
    imageDType: "int16",
    image: (i, j, k) => i + 10 * j + 100 * k,
  });
  const r = runAugment(s, {
    interpolation: "nearest",
    fill: 0,
    transforms: [{ affine: { rotate: 25, translate: 1 } }],
  }, 4);
  const v = itemOf(r.subject, "image").volume, n = 7 * 6 * 5;
  const src = itemOf(s, "image").volume.data;
  assert.equal(v.frames, 2);
  // makeVolume adds 1000 per frame
  for (let q = 0; q < n; q++) {
    if (v.data[q] !== 0) {
      assert.equal(Number(v.data[q + n]) - Number(v.data[q]), Number(src[n]) - Number(src[0]));
    }
  }
});

Deno.test("augment stores every copy's image as float32 when an intensity transform may fire", () => {
  const s = pairedSubject({ imageDType: "int16" });
  const transforms = { transforms: [{ flip: { axes: [0] } }, { noise: { std: 1, p: 0.5 } }] };
  const fired = new Set<boolean>();
  for (let seed = 1; seed <= 12; seed++) {
    const out = runAugment(s, transforms, seed);
    const noise = (out.record?.transforms as { name: string; fired: boolean }[])[1];
    fired.add(noise.fired);
    const image = itemOf(out.subject, "image");
    assert.equal(image.volume.dtype, "float32", `seed ${seed}`);
    assert.equal(image.dtypeReason, "augment: noise makes values fractional");
    assert.equal(itemOf(out.subject, "label").volume.dtype, "uint8");
  }
  assert.deepEqual([...fired].sort(), [false, true], "both outcomes of p = 0.5 were exercised");
  const never = runAugment(s, {
    transforms: [{ flip: { axes: [0] } }, { noise: { std: 1, p: 0 } }],
  });
  assert.equal(itemOf(never.subject, "image").volume.dtype, "int16");
});

Deno.test("augment warns with the NaN count when B-spline or blur spreads NaN (SPEC §3)", () => {
  const s = pairedSubject({
    shape: [9, 8, 7],
    imageDType: "float32",
    image: (i, j, k) => (i === 4 && j === 3 && (k === 2 || k === 4) ? NaN : i + j + k),
  });
  const warned = (raw: unknown) => {
    const ctx = makeContext({ seed: 3 });
    augment.apply!(s, augment.params.parse(raw), ctx);
    return ctx.warnings;
  };
  const rotate = { affine: { rotate: 20 } };
  const b = warned({ interpolation: "bspline", transforms: [rotate] });
  assert.equal(b.length, 1);
  assert.match(b[0], /role "image" has 2 NaN voxels; the B-spline prefilter spreads NaN/);
  const g = warned({ transforms: [rotate, { blur: { std: [1, 1], p: 1 } }] });
  assert.match(g.join("\n"), /role "image" has 2 NaN voxels; Gaussian blur spreads NaN/);
  assert.deepEqual(warned({ interpolation: "linear", transforms: [rotate] }), []);
});
