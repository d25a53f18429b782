import assert from "node:assert/strict";
import { readRecipe } from "../../../src/recipe/validate.ts";
import { withSeed } from "../../../src/recipe/plan.ts";
import { runSubject } from "../../../src/runner/run_subject.ts";
import type { Volume } from "../../../src/volume/volume.ts";
import { createMemoryIo } from "../../runner/_fake.ts";
import { pairedSubject } from "./_subject.ts";

const RECIPE = new URL("../../../pipelines/train-augment.yaml", import.meta.url).pathname;

Deno.test("pipelines/train-augment.yaml validates: foreground 96³ crop, flips, rotation, elastic, noise, 4 copies", async () => {
  const { recipe, text } = await readRecipe(RECIPE);
  assert.match(text, /^# /);
  assert.deepEqual(recipe.steps.map((s) => s.step), ["load", "augment", "save"]);
  const aug = recipe.steps[1].params as {
    copies: number;
    transforms: Record<string, Record<string, unknown>>[];
  };
  assert.equal(aug.copies, 4);
  const byName = Object.fromEntries(aug.transforms.map((t) => Object.entries(t)[0]));
  assert.deepEqual(Object.keys(byName).sort(), ["affine", "crop", "elastic", "flip", "noise"]);
  assert.deepEqual(byName.crop.size, [96, 96, 96]);
  assert.equal(byName.crop.mode, "foreground");
  assert.equal(recipe.steps[2].params.name, "{id}_{role}_{copy}.nii.gz");
});

Deno.test("pipelines/train-augment.yaml runs: 4 copies of 96³ per role, labels intact, replay reproduces a copy", async () => {
  const { recipe, plan } = await readRecipe(RECIPE);
  const s = pairedSubject({
    shape: [104, 100, 90],
    imageDType: "int16",
    image: (i, j, k) => Math.round(300 * Math.sin(i / 9) * Math.cos(j / 13) + k) - 1000,
    label: (i, j, k) => ((i - 60) ** 2 + (j - 40) ** 2 + (k - 30) ** 2 < 64 ? 2 : 0),
  });
  const files = new Map<string, Volume>(s.items.map((it) => [`/in/${it.role}.nii.gz`, it.volume]));
  const init = { recipe, outDir: "/out", maxInputBytes: 1e9 };
  const job = { id: "s1", row: 1, paths: { image: "/in/image.nii.gz", label: "/in/label.nii.gz" } };
  const io = createMemoryIo(files);
  const rec = runSubject(job, init, { io, plan });
  assert.equal(rec.status, "done", rec.error?.message ?? "");
  assert.equal(rec.outputs.length, 8);
  for (let copy = 0; copy < 4; copy++) {
    const img = files.get(`/out/s1_image_${copy}.nii.gz`)!,
      lab = files.get(`/out/s1_label_${copy}.nii.gz`)!;
    assert.deepEqual(img.shape, [96, 96, 96]);
    assert.deepEqual(lab.affine, img.affine);
    assert.ok((lab.data as Uint8Array).every((v) => v === 0 || v === 2));
  }
  const target = 2;
  const replayIo = createMemoryIo(files);
  const steps = rec.steps.filter((e) => e.copy === target);
  const one = runSubject({ ...job, replay: { copy: target, steps } }, {
    ...init,
    outDir: "/replay",
    recipe: { ...recipe, seed: 999 },
  }, { io: replayIo, plan: withSeed(plan, 999) });
  assert.equal(one.status, "done", one.error?.message ?? "");
  assert.deepEqual(one.outputs.map((o) => o.path), ["s1_image_2.nii.gz", "s1_label_2.nii.gz"]);
  for (const role of ["image", "label"]) {
    const want = files.get(`/out/s1_${role}_${target}.nii.gz`)!,
      got = files.get(`/replay/s1_${role}_${target}.nii.gz`)!;
    assert.deepEqual(got.data, want.data, role);
    assert.deepEqual(got.affine, want.affine);
  }
});
