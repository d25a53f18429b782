import assert from "node:assert/strict";
import { applyAffine, columnNorms } from "../../../src/volume/affine.ts";
import { createRng } from "../../../src/random/rng.ts";
import { deriveControlValues, elastic } from "../../../src/steps/augment/elastic.ts";
import { biasField } from "../../../src/steps/augment/bias_field.ts";
import { gamma } from "../../../src/steps/augment/gamma.ts";
import { blur } from "../../../src/steps/augment/blur.ts";
import { itemOf, obliqueAffine } from "../../_volumes.ts";
import { HAVE_SCIPY, runScipy } from "../../volume/_scipy.ts";
import { pairedSubject, runAugment } from "./_subject.ts";
import type { Subject } from "../../../src/steps/step.ts";

const floats = (s: Subject, r = "image") => Array.from(itemOf(s, r).volume.data as Float32Array);

Deno.test("elastic field stays within maxDisplacement (world mm, per axis) and is not trivial", () => {
  const grid = { shape: [19, 17, 9] as const, affine: obliqueAffine() };
  const params = elastic.params.parse({
    maxDisplacement: [4, 2, 6],
    controlPoints: [6, 5, 4],
    lockedBorders: 0, // every control point free: the bound is reached
  });
  const realized = elastic.draw(createRng(3), params, { grid, pickLabelled: () => null });
  const { stage } = elastic.spatial!(realized, grid);
  assert.ok(stage?.kind === "field");
  const d = new Float64Array(3), peak = [0, 0, 0];
  const a = grid.affine;
  for (let k = 0; k < 9; k++) {
    for (let j = 0; j < 17; j++) {
      for (let i = 0; i < 19; i++) {
        stage.field.at(i, j, k, d);
        for (let r = 0; r < 3; r++) {
          const w = a[r][0] * d[0] + a[r][1] * d[1] + a[r][2] * d[2];
          peak[r] = Math.max(peak[r], Math.abs(w));
        }
      }
    }
  }
  [4, 2, 6].forEach((m, r) =>
    assert.ok(peak[r] <= m + 1e-9 && peak[r] > m / 10, `axis ${r}: ${peak[r]}`)
  );
});

Deno.test("crop keeps world positions: output voxel v is input voxel origin + v", () => {
  const s = pairedSubject({ shape: [11, 9, 7], affine: obliqueAffine() });
  const r = runAugment(s, { transforms: [{ crop: { size: [4, 5, 3] } }] }, 8);
  const origin = (r.record!.transforms as { origin: number[] }[])[0].origin;
  const out = itemOf(r.subject, "image").volume, inp = itemOf(s, "image").volume;
  assert.deepEqual(out.shape, [4, 5, 3]);
  const w0 = applyAffine(out.affine, [1, 2, 1]),
    w1 = applyAffine(inp.affine, [origin[0] + 1, origin[1] + 2, origin[2] + 1]);
  w0.forEach((v, a) => assert.ok(Math.abs(v - w1[a]) < 1e-9));
  for (let k = 0; k < 3; k++) {
    for (let j = 0; j < 5; j++) {
      for (let i = 0; i < 4; i++) {
        const q = i + origin[0] + 11 * (j + origin[1] + 9 * (k + origin[2]));
        assert.equal(out.data[i + 4 * (j + 5 * k)], inp.data[q]);
      }
    }
  }
});

Deno.test("crop foreground with probability 1 always contains a labelled voxel, random crops often do not", () => {
  const s = pairedSubject({
    shape: [30, 30, 30],
    label: (i, j, k) => (i === 25 && j === 3 && k === 20 ? 4 : 0),
  });
  let randomHits = 0;
  for (let seed = 0; seed < 20; seed++) {
    const fg = runAugment(s, {
      transforms: [{ crop: { size: [6, 6, 6], mode: "foreground", foregroundProbability: 1 } }],
    }, seed);
    assert.ok((itemOf(fg.subject, "label").volume.data as Uint8Array).includes(4), `seed ${seed}`);
    const rnd = runAugment(s, { transforms: [{ crop: { size: [6, 6, 6] } }] }, seed);
    if ((itemOf(rnd.subject, "label").volume.data as Uint8Array).includes(4)) randomHits++;
  }
  assert.ok(randomHits < 5, `random crops hit the single voxel ${randomHits} times`);
  const none = runAugment(s, {
    transforms: [{
      crop: { size: [6, 6, 6], mode: "foreground", foregroundProbability: 1, labels: [9] },
    }],
  });
  assert.equal((none.record!.transforms as { centredOn: unknown }[])[0].centredOn, null);
});

Deno.test("crop-or-pad centres, pads images with fill and labels with 0", () => {
  const s = pairedSubject({ shape: [5, 6, 7], label: () => 1 });
  const r = runAugment(s, { fill: -9, transforms: [{ "crop-or-pad": { size: [7, 4, null] } }] });
  const img = itemOf(r.subject, "image").volume, lab = itemOf(r.subject, "label").volume;
  assert.deepEqual(img.shape, [7, 4, 7]);
  assert.deepEqual((r.record!.transforms as { origin: number[] }[])[0].origin, [-1, 1, 0]);
  const src = itemOf(s, "image").volume.data;
  for (let k = 0; k < 7; k++) {
    for (let j = 0; j < 4; j++) {
      for (let i = 0; i < 7; i++) {
        const q = i + 7 * (j + 4 * k), inside = i >= 1 && i <= 5;
        assert.equal(img.data[q], inside ? src[i - 1 + 5 * (j + 1 + 6 * k)] : -9);
        assert.equal(lab.data[q], inside ? 1 : 0);
      }
    }
  }
});

Deno.test("gamma keeps each frame's min and max, is monotone and records gamma", () => {
  const s = pairedSubject({ shape: [6, 5, 4] });
  const r = runAugment(s, { transforms: [{ gamma: { logGamma: [0.5, 0.5] } }] });
  const a = floats(s), b = floats(r.subject);
  assert.ok(
    Math.abs(Math.min(...b) - Math.min(...a)) < 1e-3 &&
      Math.abs(Math.max(...b) - Math.max(...a)) < 1e-3,
  );
  const lo = Math.min(...a), w = Math.max(...a) - lo;
  a.forEach((v, q) =>
    assert.ok(Math.abs(b[q] - (lo + w * ((v - lo) / w) ** Math.exp(0.5))) < 1e-3)
  );
  assert.equal((r.record!.transforms as { gamma: number }[])[0].gamma, Math.exp(0.5));
  assert.equal(gamma.name, "gamma");
});

Deno.test("scale-shift maps v to v * scale + shift and leaves labels alone", () => {
  const s = pairedSubject({ shape: [4, 3, 5] });
  const r = runAugment(s, { transforms: [{ "scale-shift": { scale: [2, 2], shift: [-1, -1] } }] });
  const a = floats(s), b = floats(r.subject);
  a.forEach((v, q) => assert.equal(b[q], Math.fround(v * 2 - 1)));
  assert.equal(itemOf(r.subject, "label"), itemOf(s, "label"));
});

Deno.test("noise has the drawn standard deviation and mean", () => {
  const s = pairedSubject({ shape: [40, 40, 20], image: () => 10 });
  const r = runAugment(s, { transforms: [{ noise: { std: [3, 3], mean: [1, 1] } }] });
  const b = floats(r.subject), n = b.length;
  const mean = b.reduce((x, y) => x + y, 0) / n;
  const sd = Math.sqrt(b.reduce((x, y) => x + (y - mean) ** 2, 0) / n);
  assert.ok(Math.abs(mean - 11) < 0.05 && Math.abs(sd - 3) < 0.05, `mean ${mean} sd ${sd}`);
});

Deno.test("bias-field multiplies by exp(polynomial); order 0 is a constant factor", () => {
  const s = pairedSubject({ shape: [5, 4, 3] });
  const r = runAugment(s, {
    transforms: [{ "bias-field": { order: 0, coefficients: [0.3, 0.3] } }],
  });
  const a = floats(s), b = floats(r.subject);
  a.forEach((v, q) => assert.ok(Math.abs(b[q] - v * Math.exp(0.3)) < 1e-3 * (1 + Math.abs(v))));
  const realized = biasField.draw(createRng(1), biasField.params.parse({ order: 3 }), {
    grid: { shape: [2, 2, 2], affine: obliqueAffine() },
    pickLabelled: () => null,
  });
  assert.equal((realized.coefficients as number[]).length, 20);
});

Deno.test({
  name: "blur matches scipy gaussian_filter (sigma in mm / spacing, mode nearest)",
  ignore: !HAVE_SCIPY,
  async fn() {
    const s = pairedSubject({ shape: [9, 8, 7], affine: obliqueAffine([0.9, 1.1, 2.5]) });
    const r = runAugment(s, { transforms: [{ blur: { std: [1.5, 1.5] } }] });
    const sigma = columnNorms(itemOf(s, "image").volume.affine).map((sp) => 1.5 / sp);
    const want = await runScipy(
      `a = np.array(inp["a"], dtype=np.float64).reshape(7, 8, 9).T\n` +
        `out = nd.gaussian_filter(a, inp["s"], mode="nearest", truncate=4).T.ravel().tolist()`,
      { a: floats(s), s: sigma },
    ) as number[];
    floats(r.subject).forEach((v, q) =>
      assert.ok(Math.abs(v - want[q]) < 1e-3, `${v} vs ${want[q]}`)
    );
    assert.equal(blur.kind, "intensity");
  },
});

Deno.test("intensity transforms before the last spatial one act on the input grid", () => {
  const s = pairedSubject({ shape: [7, 6, 5] });
  const t = [{ "scale-shift": { scale: [3, 3] } }, { flip: { axes: [0] } }];
  const r = runAugment(s, { transforms: t });
  const a = floats(s), b = floats(r.subject);
  for (let q = 0; q < a.length; q++) {
    const i = q % 7;
    assert.equal(b[q], Math.fround(a[q - i + (6 - i)] * 3));
  }
});

Deno.test("elastic lockedBorders: 2 (default, TorchIO) fixes the two outer control layers of every axis, 1 the outer one, 0 none", () => {
  const grid = { shape: [19, 17, 13] as const, affine: obliqueAffine() };
  const points: [number, number, number] = [7, 6, 5];
  for (const locked of [0, 1, 2] as const) {
    const params = elastic.params.parse(
      locked === 2 ? { controlPoints: points } : { controlPoints: points, lockedBorders: locked },
    );
    const realized = elastic.draw(createRng(5), params, { grid, pickLabelled: () => null });
    assert.equal(realized.lockedBorders, locked); // recorded in provenance
    const values = deriveControlValues(
      realized.seed as number,
      points,
      [7.5, 7.5, 7.5],
      grid,
      locked,
    );
    let q = 0;
    for (let c = 0; c < points[2]; c++) {
      for (let b = 0; b < points[1]; b++) {
        for (let a = 0; a < points[0]; a++, q++) {
          const border = [a, b, c].some((i, ax) => i < locked || i >= points[ax] - locked);
          const d = [values[3 * q], values[3 * q + 1], values[3 * q + 2]];
          if (border) assert.deepEqual(d, [0, 0, 0], `locked ${locked}: point ${[a, b, c]}`);
          else assert.ok(d.every((v) => v !== 0), `locked ${locked}: point ${[a, b, c]} is free`);
        }
      }
    }
  }
});

Deno.test("elastic with default settings pulls far fewer voxels from outside the field of view than unlocked", () => {
  const grid = { shape: [40, 40, 40] as const, affine: obliqueAffine([1, 1, 1]) };
  const outside = (locked: 0 | 2) => {
    let count = 0, total = 0;
    for (let seed = 1; seed <= 8; seed++) {
      const params = elastic.params.parse({ lockedBorders: locked });
      const realized = elastic.draw(createRng(seed), params, { grid, pickLabelled: () => null });
      const { stage } = elastic.spatial!(realized, grid);
      assert.ok(stage?.kind === "field");
      const d = new Float64Array(3);
      for (let k = 0; k < 40; k++) {
        for (let j = 0; j < 40; j++) {
          for (let i = 0; i < 40; i++, total++) {
            stage.field.at(i, j, k, d);
            const p = [i + d[0], j + d[1], k + d[2]];
            if (p.some((x) => x < -0.5 || x > 39.5)) count++;
          }
        }
      }
    }
    return count / total;
  };
  const unlocked = outside(0), locked = outside(2);
  assert.ok(unlocked > 0.02, `unlocked: ${unlocked}`);
  assert.ok(locked < unlocked / 4, `locked ${locked} vs unlocked ${unlocked}`);
});

Deno.test("elastic replays a record without lockedBorders (older provenance) as 0, the behaviour it was made with", () => {
  const grid = { shape: [12, 11, 10] as const, affine: obliqueAffine() };
  const params = elastic.params.parse({ maxDisplacement: 3, lockedBorders: 0 });
  const realized = elastic.draw(createRng(9), params, { grid, pickLabelled: () => null });
  const { lockedBorders: _, ...old } = realized;
  const sample = (r: typeof realized) => {
    const { stage } = elastic.spatial!(r, grid);
    assert.ok(stage?.kind === "field");
    const d = new Float64Array(3);
    stage.field.at(0, 0, 0, d);
    return Array.from(d);
  };
  assert.deepEqual(sample(old), sample(realized));
  assert.notDeepEqual(sample({ ...realized, lockedBorders: 2 }), sample(realized));
});

Deno.test("elastic params: lockedBorders is 0, 1 or 2, and 2 needs at least 5 control points (TorchIO's rule)", () => {
  assert.equal(elastic.params.parse({}).lockedBorders, 2);
  assert.equal(elastic.params.safeParse({ lockedBorders: 3 }).success, false);
  assert.equal(elastic.params.safeParse({ lockedBorders: 1.5 }).success, false);
  const r = elastic.params.safeParse({ controlPoints: [7, 4, 7] });
  assert.equal(r.success, false);
  assert.match(r.error!.issues[0].message, /lockedBorders/);
  assert.equal(elastic.params.safeParse({ controlPoints: 4, lockedBorders: 1 }).success, true);
});
