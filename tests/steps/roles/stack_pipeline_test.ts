/**
 * Every step after `stack` handles the channels of a 4D role (issue 12.7): a whole run with
 * stack → reorient → crop-foreground → crop-or-pad → clip (percentiles) → normalize → resample →
 * augment (flip, gamma) → save writes, for each channel, exactly what the same recipe without
 * stack writes for that role alone (statistics per channel, every frame moved alike), byte for
 * byte.
 */
import assert from "node:assert/strict";
import { readNiftiSync } from "../../../src/nifti/nifti_read.ts";
import { writeNiftiSync } from "../../../src/nifti/nifti_write.ts";
import { frameLength, numericData } from "../../../src/volume/volume.ts";
import { medprep } from "../../faults/_faults.ts";
import { makeVolume } from "../../_volumes.ts";

const SHAPE: [number, number, number] = [12, 10, 9];
// An LPS-like anisotropic grid, so that reorient permutes and flips.
const AFFINE = [[-0.9, 0, 0.1, 30], [0, 0, 2.2, -20], [0, -1.1, 0, 15], [0, 0, 0, 1]];

const inside = (i: number, j: number, k: number) => i > 2 && i < 10 && j > 1 && j < 8 && k > 1;

function recipe(stacked: boolean): string {
  return `version: 1
name: stack-4d
seed: 7
steps:
  - step: load
    labels: [label]
${
    stacked
      ? "  - step: stack\n    roles: [t1, t2, flair]\n    into: image\n"
      : "  - step: reorient\n"
  }  - step: reorient
  - step: crop-foreground
    margin: 1
  - step: crop-or-pad
    size: [9, 8, 8]
  - step: clip
    percentiles: [2, 98]
  - step: normalize
    method: zscore
  - step: resample-to-spacing
    spacing: [1.4, 1.3, 1.6]
    interpolation: linear
  - step: augment
    copies: 2
    transforms:
      - flip: { axes: [0, 1], p: 0.5 }
      - gamma: { logGamma: [-0.3, 0.3] }
  - step: save
    name: "{id}_{role}_{copy}.nii.gz"
`;
}

async function run(dir: string, stacked: boolean): Promise<string> {
  const file = `${dir}/${stacked ? "stacked" : "separate"}.yaml`;
  Deno.writeTextFileSync(file, recipe(stacked));
  const out = `${dir}/out-${stacked ? "stacked" : "separate"}`;
  const r = await medprep([
    "run",
    file,
    "--manifest",
    `${dir}/manifest.csv`,
    "--out",
    out,
    "--workers",
    "1",
    "--quiet",
  ]).output();
  assert.equal(r.code, 0, new TextDecoder().decode(r.stderr));
  return out;
}

Deno.test("stack: later steps treat each channel as the role alone (whole run, byte for byte)", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "medprep-stack-" });
  try {
    const vols = {
      t1: makeVolume({
        shape: SHAPE,
        affine: AFFINE,
        fn: (i, j, k) => inside(i, j, k) ? 100 + i * j - k : 0,
      }),
      t2: makeVolume({
        shape: SHAPE,
        affine: AFFINE,
        dtype: "float32",
        fn: (i, j, k) => inside(i, j, k) ? 0.25 * i - j + k * k : 0,
      }),
      flair: makeVolume({
        shape: SHAPE,
        affine: AFFINE,
        fn: (i, j, k) => inside(i, j, k) ? 40 + ((i * 7 + j * 3 + k) % 11) : 0,
      }),
      label: makeVolume({
        shape: SHAPE,
        affine: AFFINE,
        dtype: "uint8",
        fn: (i, j, k) => inside(i, j, k) && i > 5 ? 1 : 0,
      }),
    };
    const rows = ["id,t1,t2,flair,label"];
    for (const id of ["s1", "s2"]) {
      for (const [role, v] of Object.entries(vols)) {
        writeNiftiSync(`${dir}/${id}_${role}.nii.gz`, v);
      }
      rows.push(`${id},${id}_t1.nii.gz,${id}_t2.nii.gz,${id}_flair.nii.gz,${id}_label.nii.gz`);
    }
    Deno.writeTextFileSync(`${dir}/manifest.csv`, rows.join("\n") + "\n");
    const [a, b] = [await run(dir, true), await run(dir, false)];
    for (const id of ["s1", "s2"]) {
      for (const copy of [0, 1]) {
        const img = readNiftiSync(`${a}/${id}_image_${copy}.nii.gz`).volume;
        assert.equal(img.frames, 3);
        ["t1", "t2", "flair"].forEach((role, c) => {
          const one = readNiftiSync(`${b}/${id}_${role}_${copy}.nii.gz`).volume;
          assert.deepEqual(img.shape, one.shape);
          assert.deepEqual(img.affine, one.affine);
          assert.equal(img.dtype, one.dtype);
          const n = frameLength(one);
          const channel = numericData(img).slice(c * n, (c + 1) * n);
          assert.ok(
            Math.max(...channel) - Math.min(...channel) > 1,
            "a real image, not a constant",
          );
          assert.deepEqual(
            Array.from(channel),
            Array.from(numericData(one)),
            `${id} ${role} copy ${copy}`,
          );
        });
        const la = Deno.readFileSync(`${a}/${id}_label_${copy}.nii.gz`);
        const lb = Deno.readFileSync(`${b}/${id}_label_${copy}.nii.gz`);
        assert.deepEqual(la, lb);
      }
    }
    const prov = JSON.parse(Deno.readTextFileSync(`${a}/provenance.json`));
    const step = prov.subjects[0].steps.find((s: { name: string }) => s.name === "stack");
    assert.deepEqual(step.record.channels, ["t1", "t2", "flair"]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
