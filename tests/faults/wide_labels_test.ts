/**
 * 64-bit integer label maps keep every value exactly through the steps that sample by nearest
 * neighbour (SPEC §2/§3: nearest results are input values). An audit found `augment` (a flip)
 * and `resample-to-reference` passing int64 labels through float64 and rounding 2^53 + 1 to
 * 2^53 and 2^60 + 3 to 2^60, with exit 0.
 */
import assert from "node:assert/strict";
import { readNiftiSync } from "../../src/nifti/nifti_read.ts";
import { writeNiftiSync } from "../../src/nifti/nifti_write.ts";
import { runBatch } from "../../src/runner/batch.ts";
import { createVolume } from "../../src/volume/volume.ts";

const BIG = [2n ** 53n + 1n, 2n ** 60n + 3n, -(2n ** 62n) + 5n, 2n ** 63n - 1n];

/** Writes an int16 image (`spacing` mm) and int64/uint64 labels (1 mm) holding the BIG values. */
function writeInputs(dir: string, unsigned: boolean, spacing: number) {
  const shape: [number, number, number] = [6, 5, 4];
  const n = 6 * 5 * 4;
  const eye = (s: number) => [[s, 0, 0, 0], [0, s, 0, 0], [0, 0, s, 0], [0, 0, 0, 1]];
  writeNiftiSync(
    `${dir}/img.nii`,
    createVolume({
      shape,
      data: Int16Array.from({ length: n }, (_, i) => i),
      affine: eye(spacing),
    }),
  );
  const label = unsigned ? new BigUint64Array(n) : new BigInt64Array(n);
  const values = unsigned ? BIG.map((v) => v < 0n ? -v : v) : BIG;
  values.forEach((v, q) => (label[7 + q * 23] = v as never));
  writeNiftiSync(`${dir}/lab.nii`, createVolume({ shape, data: label, affine: eye(1) }));
  Deno.writeTextFileSync(`${dir}/m.csv`, "id,image,label\ns1,img.nii,lab.nii\n");
  return new Set([0n, ...values]);
}

const recipe = (step: string) =>
  `version: 1
name: wide
steps:
  - step: load
    labels: [label]
${step}
  - step: save
    name: "{id}_{role}.nii"
`;

for (
  const [what, step] of [
    ["augment (flip)", "  - step: augment\n    transforms:\n      - flip: { axes: [0], p: 1 }"],
    [
      "resample-to-reference",
      "  - step: resample-to-reference\n    onto: image\n    roles: [label]",
    ],
  ]
) {
  for (const unsigned of [false, true]) {
    Deno.test(`${what} keeps ${unsigned ? "uint64" : "int64"} label values above 2^53 exactly`, async () => {
      const dir = await Deno.makeTempDir();
      try {
        const want = writeInputs(dir, unsigned, what.startsWith("augment") ? 1 : 1.3);
        await Deno.writeTextFile(`${dir}/r.yaml`, recipe(step));
        const code = await runBatch({
          quiet: true,
          command: ["t"],
          recipe: `${dir}/r.yaml`,
          manifest: `${dir}/m.csv`,
          out: `${dir}/out`,
        });
        assert.equal(code, 0);
        const out = readNiftiSync(`${dir}/out/s1_label.nii`).volume;
        assert.equal(out.dtype, unsigned ? "uint64" : "int64");
        const got = new Set(out.data as BigInt64Array as unknown as bigint[]);
        for (const v of got) assert.ok(want.has(v), `value ${v} is not an input value`);
        // The flip keeps every voxel; the 1 mm → 1.3 mm grid keeps the ones it lands on.
        if (what.startsWith("augment")) assert.deepEqual(got, want);
        else assert.ok([...got].some((v) => v > 2n ** 53n), "a wide value survived");
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    });
  }
}
