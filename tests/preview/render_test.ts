import assert from "node:assert/strict";
import { encodePng } from "../../src/preview/png.ts";
import { LABEL_COLORS, renderPreview } from "../../src/preview/render.ts";
import { derivePercentiles } from "../../src/volume/stats.ts";
import type { Affine } from "../../src/volume/affine.ts";
import { makeVolume } from "../_volumes.ts";
import { checkPngInPython, HAVE_SCIPY } from "./_png_python.ts";

const SHAPE: [number, number, number] = [21, 17, 13];
/** RAS+ storage: i → R, j → A, k → S; anisotropic 1 × 1.25 × 2 mm. */
const RAS: Affine = [[1, 0, 0, -10], [0, 1.25, 0, -10], [0, 0, 2, -12], [0, 0, 0, 1]];

/** A blob of label 1 with a core of label 2, off-centre so its centre of mass is not the middle. */
function blob(i: number, j: number, k: number): number {
  const d = Math.hypot((i - 12) / 5, (j - 9) / 4, (k - 7) / 3);
  return d < 0.5 ? 2 : d < 1 ? 1 : 0;
}

const image = makeVolume({
  shape: SHAPE,
  dtype: "float32",
  affine: RAS,
  fn: (i, j, k) => 100 + 3 * i - 2 * j + 5 * k + (blob(i, j, k) ? 400 : 0),
});
const label = makeVolume({ shape: SHAPE, dtype: "uint8", affine: RAS, fn: blob });

async function withPng<T>(bytes: Uint8Array, fn: (path: string) => Promise<T>): Promise<T> {
  const path = await Deno.makeTempFile({ suffix: ".png" });
  try {
    await Deno.writeFile(path, bytes);
    return await fn(path);
  } finally {
    await Deno.remove(path);
  }
}

Deno.test("renderPreview outlines sit on the label's boundary (decoded by python, scipy erosion)", {
  ignore: !HAVE_SCIPY,
}, async () => {
  const preview = renderPreview({
    title: "s1_image.nii.gz",
    image,
    labels: [{ role: "label", volume: label }],
  });
  assert.equal(preview.slicesAt, "label centre of mass");
  // Each panel pixel's voxel (the renderer's mapping, checked for orientation separately).
  const panels = preview.panels.map((p) => {
    const voxels: number[][] = [];
    for (let v = 0; v < p.height; v++) {
      for (let u = 0; u < p.width; u++) voxels.push(p.voxelAt(u, v));
    }
    return { x: p.x, y: p.y, w: p.width, h: p.height, voxels, view: p.view };
  });
  const labelData = [...label.data];
  const got = await withPng(
    encodePng(preview.rgb, preview.width, preview.height),
    (path) =>
      checkPngInPython(
        path,
        `
lab = np.array(inp['label']).reshape(inp['shape'][::-1]).transpose(2, 1, 0)  # x fastest -> [i,j,k]
colors = [tuple(c) for c in inp['colors']]
res = {'size': [img.shape[1], img.shape[0]], 'panels': []}
for p in inp['panels']:
    tile = img[p['y']:p['y']+p['h'], p['x']:p['x']+p['w']].astype(int)
    vox = np.array(p['voxels']).reshape(p['h'], p['w'], 3)
    # the slice this panel shows: the voxel axis all its pixels share
    fixed = [a for a in range(3) if len(set(vox[..., a].ravel())) == 1][0]
    index = int(vox[0, 0, fixed])
    plane = np.take(lab, index, axis=fixed)
    # in-plane boundary of each label value: inside it, not inside its in-plane erosion
    bounds = np.zeros(plane.shape, bool)
    for value in np.unique(plane[plane > 0]):
        m = plane == value
        bounds |= m & ~nd.binary_erosion(m, structure=nd.generate_binary_structure(2, 1), border_value=0)
    other = [a for a in range(3) if a != fixed]
    on, off, wrong_color, hit = 0, 0, 0, set()
    for v in range(p['h']):
        for u in range(p['w']):
            c = tuple(tile[v, u])
            if c not in colors: continue
            i2 = tuple(vox[v, u][other])
            if bounds[i2]:
                on += 1; hit.add(i2)
            else: off += 1
            if colors.index(c) + 1 != plane[i2]: wrong_color += 1
    missed = [b for b in zip(*np.nonzero(bounds)) if tuple(int(x) for x in b) not in hit]
    grey = tile[(tile[..., 0] == tile[..., 1]) & (tile[..., 1] == tile[..., 2])][:, 0]
    res['panels'].append({'view': p['view'], 'on': on, 'off': off, 'wrongColor': wrong_color,
      'missed': len(missed), 'boundaryVoxels': int(bounds.sum()), 'greyStd': float(grey.std()),
      'greyLevels': int(len(np.unique(grey)))})
out = res
`,
        { label: labelData, shape: SHAPE, colors: LABEL_COLORS, panels },
      ),
  ) as {
    size: number[];
    panels: {
      view: string;
      on: number;
      off: number;
      wrongColor: number;
      missed: number;
      boundaryVoxels: number;
      greyStd: number;
      greyLevels: number;
    }[];
  };
  assert.deepEqual(got.size, [preview.width, preview.height]);
  assert.equal(got.panels.length, 3);
  for (const p of got.panels) {
    assert.ok(p.boundaryVoxels > 0, `${p.view}: the slice crosses the label`);
    assert.ok(p.on > 0, `${p.view}: outline drawn`);
    assert.equal(p.off, 0, `${p.view}: every outline pixel is on the label's boundary`);
    assert.equal(p.wrongColor, 0, `${p.view}: colour by label value`);
    assert.equal(p.missed, 0, `${p.view}: every boundary voxel of the slice is outlined`);
    assert.ok(p.greyStd > 10 && p.greyLevels > 10, `${p.view}: the image is not blank`);
  }
});

Deno.test("renderPreview slices through the label's centre of mass, else the middle", () => {
  const withLabel = renderPreview({
    title: "t",
    image,
    labels: [{ role: "label", volume: label }],
  });
  // Centre of mass of the blob computed directly from the label voxels.
  const sums = [0, 0, 0];
  let n = 0;
  for (let k = 0; k < SHAPE[2]; k++) {
    for (let j = 0; j < SHAPE[1]; j++) {
      for (let i = 0; i < SHAPE[0]; i++) {
        if (blob(i, j, k)) (sums[0] += i, sums[1] += j, sums[2] += k, n++);
      }
    }
  }
  const com = sums.map((s) => Math.round(s / n));
  assert.deepEqual(
    withLabel.slices.map((s) => [s.view, s.voxelAxis, s.index]),
    [["axial", 2, com[2]], ["coronal", 1, com[1]], ["sagittal", 0, com[0]]],
  );
  const plain = renderPreview({ title: "t", image, labels: [] });
  assert.equal(plain.slicesAt, "middle");
  assert.deepEqual(plain.slices.map((s) => s.index), [6, 8, 10]);
});

Deno.test("renderPreview shows the same world picture whatever the voxel storage order", () => {
  // The same world image stored L→R flipped and with i/j swapped (an LPS-like storage).
  const [nx, ny, nz] = SHAPE;
  const stored: Affine = [
    [0, -1, 0, -10 + (nx - 1)],
    [1.25, 0, 0, -10],
    [0, 0, 2, -12],
    [0, 0, 0, 1],
  ];
  // voxel (a, b, c) of the new storage is RAS voxel (nx−1−b, a, c).
  const fnRas = (i: number, j: number, k: number) =>
    100 + 3 * i - 2 * j + 5 * k + (blob(i, j, k) ? 400 : 0);
  const image2 = makeVolume({
    shape: [ny, nx, nz],
    dtype: "float32",
    affine: stored,
    fn: (a, b, c) => fnRas(nx - 1 - b, a, c),
  });
  const label2 = makeVolume({
    shape: [ny, nx, nz],
    dtype: "uint8",
    affine: stored,
    fn: (a, b, c) => blob(nx - 1 - b, a, c),
  });
  const a = renderPreview({ title: "t", image, labels: [{ role: "label", volume: label }] });
  const b = renderPreview({
    title: "t",
    image: image2,
    labels: [{ role: "label", volume: label2 }],
  });
  assert.deepEqual([b.width, b.height], [a.width, a.height]);
  // Panels identical pixel for pixel (the caption names other voxel axes, so compare panels).
  for (const [n, p] of a.panels.entries()) {
    for (let v = 0; v < p.height; v++) {
      const row = (r: typeof a, q: typeof p) =>
        r.rgb.subarray(((q.y + v) * r.width + q.x) * 3, ((q.y + v) * r.width + q.x + q.width) * 3);
      assert.deepEqual(row(b, b.panels[n]), row(a, p), `${p.view} row ${v}`);
    }
  }
});

Deno.test("renderPreview puts the subject's right on the right and anterior/superior up", () => {
  // Bright bars in RAS storage; where their pixels land in each view shows its orientation.
  const cases = [
    // axial: a bar at right-anterior (high i, high j, every k) → top right.
    { view: "axial", inBar: (i: number, j: number) => i >= 17 && j >= 13, where: ["right", "top"] },
    // coronal: right-superior (high i, high k, every j) → top right.
    {
      view: "coronal",
      inBar: (i: number, _j: number, k: number) => i >= 17 && k >= 9,
      where: ["right", "top"],
    },
    // sagittal: anterior-superior (high j, high k, every i) → top left (anterior on the left).
    {
      view: "sagittal",
      inBar: (_i: number, j: number, k: number) => j >= 13 && k >= 9,
      where: ["left", "top"],
    },
  ];
  for (const { view, inBar, where } of cases) {
    const bar = makeVolume({
      shape: SHAPE,
      dtype: "int16",
      affine: RAS,
      fn: (i, j, k) => (inBar(i, j, k) ? 1000 : 0),
    });
    const p = renderPreview({ title: "t", image: bar, labels: [], window: [0, 1000] });
    const q = p.panels.find((x) => x.view === view)!;
    let su = 0, sv = 0, n = 0;
    for (let v = 0; v < q.height; v++) {
      for (let u = 0; u < q.width; u++) {
        if (p.rgb[((q.y + v) * p.width + q.x + u) * 3] === 255) (su += u, sv += v, n++);
      }
    }
    assert.ok(n > 0, `${view}: the bar is drawn`);
    const cu = su / n / q.width, cv = sv / n / q.height;
    assert.ok(where[0] === "right" ? cu > 0.75 : cu < 0.25, `${view}: bar on the ${where[0]}`);
    assert.ok(cv < 0.4, `${view}: bar at the top (${cv})`);
  }
  // Physical aspect: 21 mm × 21.25 mm axial, 21 × 26 coronal, 21.25 × 26 sagittal.
  const p = renderPreview({ title: "t", image, labels: [] });
  const [ax, co, sa] = p.panels;
  assert.ok(Math.abs(ax.width / ax.height - 21 / 21.25) < 0.02);
  assert.ok(Math.abs(co.width / co.height - 21 / 26) < 0.02);
  assert.ok(Math.abs(sa.width / sa.height - 21.25 / 26) < 0.02);
});

Deno.test("renderPreview windows the 1st-99th percentile unless the recipe gives a window", () => {
  const p = renderPreview({ title: "t", image, labels: [] });
  assert.equal(p.windowSource, "percentile");
  assert.deepEqual(p.window, derivePercentiles(image, 0, [1, 99]));
  const q = renderPreview({ title: "t", image, labels: [], window: [0, 50] });
  assert.equal(q.windowSource, "recipe");
  assert.deepEqual(q.window, [0, 50]);
  // Every image value is above 50: the whole panel is white.
  const ax = q.panels[0];
  const at = ((ax.y + 3) * q.width + ax.x + 3) * 3;
  assert.deepEqual([...q.rgb.subarray(at, at + 3)], [255, 255, 255]);
});
