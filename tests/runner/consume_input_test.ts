/**
 * Issue 15 (peak memory): the runner lets a step build its result in an input volume's memory
 * (`StepContext.owns`) only when nothing reads that volume afterwards. A resample consumes the
 * loaded volume when the subject holds it alone (the input is overwritten, the saved bytes are
 * those of the ordinary resampling), and never one an augment copy still to run shares.
 */
import assert from "node:assert/strict";
import { bindRecipe } from "../../src/recipe/plan.ts";
import { validateRecipePlan } from "../../src/recipe/validate.ts";
import { runSubject, type SubjectIo } from "../../src/runner/run_subject.ts";
import { WORKER_IO } from "../../src/runner/worker_io.ts";
import { writeNiftiSync } from "../../src/nifti/nifti_write.ts";
import type { Volume } from "../../src/volume/volume.ts";
import { makeVolume } from "../_volumes.ts";

const RESAMPLE = "  - step: resample-to-size\n    size: [5, 4, 3]\n    interpolation: linear\n";

/** Runs `steps` (after load) on one subject; the saved files' bytes and the volumes read. */
function run(dir: string, name: string, steps: string, save = "") {
  const { recipe } = validateRecipePlan(
    `version: 1\nname: c\nsteps:\n  - step: load\n${steps}  - step: save\n    dtype: keep\n${save}`,
    "recipe.yaml",
  );
  const out = `${dir}/${name}`;
  Deno.mkdirSync(out);
  const read: Volume[] = [];
  const io: SubjectIo = {
    ...WORKER_IO,
    read: (path, options) => {
      const r = WORKER_IO.read(path, options);
      read.push(r.volume);
      return r;
    },
  };
  const rec = runSubject(
    { id: "s1", row: 2, paths: { image: `${dir}/img.nii` } },
    { recipe, outDir: out, maxInputBytes: 1e9 },
    { io, plan: bindRecipe(recipe) },
  );
  assert.equal(rec.status, "done", JSON.stringify(rec.error));
  const files = rec.outputs.map((o) => Deno.readFileSync(`${out}/${o.path}`));
  return { files, read };
}

const IMAGE = makeVolume({
  shape: [11, 9, 7],
  dtype: "int16",
  fn: (i, j, k) => Math.round(300 * Math.sin(i + 2 * j - k) + 40 * i * k),
});

Deno.test("a resample consumes the loaded volume only when no augment copy still shares it", () => {
  const dir = Deno.makeTempDirSync({ prefix: "medprep-consume-" });
  try {
    writeNiftiSync(`${dir}/img.nii`, IMAGE);
    const plain = run(dir, "plain", RESAMPLE);
    assert.equal(plain.files.length, 1);
    // The loaded voxels were overwritten by the result: the subject alone held them.
    assert.notDeepEqual(plain.read[0].data, IMAGE.data);
    // No transform fires (p: 0): both copies resample the loaded volume itself, which the
    // subject held for the second copy while the first ran.
    const augment = "  - step: augment\n    copies: 2\n    transforms:\n" +
      "      - flip: { axes: [0], p: 0 }\n";
    const copies = run(
      dir,
      "copies",
      augment + RESAMPLE,
      '    name: "{id}_{role}_{copy}.nii.gz"\n',
    );
    assert.equal(copies.files.length, 2);
    assert.deepEqual(copies.read[0].data, IMAGE.data, "the loaded voxels were kept");
    // The consumed input gave the bytes of the ordinary resampling, and so did each copy.
    assert.deepEqual(copies.files[0], plain.files[0]);
    assert.deepEqual(copies.files[1], plain.files[0], "the second copy read intact voxels");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
