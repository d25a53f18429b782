import assert from "node:assert/strict";
import { pairedSubject, runAugment } from "./_subject.ts";
import { itemOf } from "../../_volumes.ts";

const DRAWS = 1500;
type Entry = { name: string; fired: boolean; flips?: boolean[]; centredOn?: unknown };

/** True when a frequency is within 4.5 binomial standard deviations of p. */
function near(count: number, n: number, p: number): boolean {
  return Math.abs(count / n - p) <= 4.5 * Math.sqrt((p * (1 - p)) / n) + 1e-12;
}

const tiny = pairedSubject({ shape: [3, 4, 5], label: (i, j, k) => (i + j + k === 6 ? 1 : 0) });

function records(transforms: unknown[]): Entry[][] {
  const out: Entry[][] = [];
  for (let seed = 0; seed < DRAWS; seed++) {
    out.push(runAugment(tiny, { transforms }, seed).record!.transforms as Entry[]);
  }
  return out;
}

Deno.test("augment fires each transform with its probability p over many draws", () => {
  const all = records([
    { noise: { std: 1, p: 0.3 } },
    { affine: { rotate: 10, p: 0.8 } },
    { gamma: { p: 0 } },
    { "scale-shift": { shift: 1 } },
  ]);
  const count = (t: number) => all.filter((r) => r[t].fired).length;
  assert.ok(near(count(0), DRAWS, 0.3), `noise fired ${count(0)}`);
  assert.ok(near(count(1), DRAWS, 0.8), `affine fired ${count(1)}`);
  assert.equal(count(2), 0);
  assert.equal(count(3), DRAWS);
  // independence: both fire about 0.3 × 0.8 of the time
  const both = all.filter((r) => r[0].fired && r[1].fired).length;
  assert.ok(near(both, DRAWS, 0.24), `both fired ${both}`);
});

Deno.test("flip flips each listed axis independently with probability p", () => {
  const all = records([{ flip: { axes: [0, 2], p: 0.25 } }]);
  const axis = (a: number) => all.filter((r) => r[0].flips![a]).length;
  assert.ok(near(axis(0), DRAWS, 0.25), `x flipped ${axis(0)}`);
  assert.equal(axis(1), 0);
  assert.ok(near(axis(2), DRAWS, 0.25), `z flipped ${axis(2)}`);
  const fired = all.filter((r) => r[0].fired).length;
  assert.ok(near(fired, DRAWS, 1 - 0.75 * 0.75), `fired ${fired}`);
});

Deno.test("crop foreground centres on a labelled voxel with foregroundProbability", () => {
  const all = records([{
    crop: { size: [2, 2, 2], mode: "foreground", foregroundProbability: 0.4 },
  }]);
  const centred = all.filter((r) => r[0].centredOn !== null).length;
  assert.ok(near(centred, DRAWS, 0.4), `centred ${centred}`);
});

Deno.test("crop foreground after a rotation still contains the labelled voxel", () => {
  const s = pairedSubject({
    shape: [25, 25, 9],
    label: (i, j, k) => (i === 20 && j === 4 && k === 4 ? 3 : 0),
  });
  for (let seed = 0; seed < 10; seed++) {
    const r = runAugment(s, {
      interpolation: "nearest",
      transforms: [
        { affine: { rotate: [[0, 0], [0, 0], [90, 90]] } },
        { crop: { size: [5, 5, 5], mode: "foreground", foregroundProbability: 1 } },
      ],
    }, seed);
    assert.ok((itemOf(r.subject, "label").volume.data as Uint8Array).includes(3), `seed ${seed}`);
  }
});
