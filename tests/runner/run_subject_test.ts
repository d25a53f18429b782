import assert from "node:assert/strict";
import { RecipeError } from "../../src/errors.ts";
import { bindRecipe } from "../../src/recipe/plan.ts";
import { runSubject } from "../../src/runner/run_subject.ts";
import type { Volume } from "../../src/volume/volume.ts";
import { deriveSeed } from "../../src/random/rng.ts";
import { stagedPathOf } from "../../src/runner/staging.ts";
import { makeVolume } from "../_volumes.ts";
import { createMemoryIo, TEST_STEPS, testRecipe } from "./_fake.ts";

const staged = (rel: string) => stagedPathOf("/out/.stage", rel);

function setup() {
  const files = new Map<string, Volume>([
    ["/in/a_img.nii.gz", makeVolume({ dtype: "float32" })],
    ["/in/a_lab.nii.gz", makeVolume({ dtype: "uint8", fn: (i) => i % 2 })],
  ]);
  const job = { id: "a", row: 2, paths: { image: "/in/a_img.nii.gz", label: "/in/a_lab.nii.gz" } };
  return { files, job, io: createMemoryIo(files) };
}

Deno.test("runSubject runs load → steps → save and records inputs, steps and outputs", () => {
  const { files, job, io } = setup();
  const recipe = testRecipe([
    { step: "load", labels: ["label"] },
    { step: "add", amount: 2 },
    { step: "save" },
  ]);
  const rec = runSubject(job, {
    recipe,
    outDir: "/out",
    stagingDir: "/out/.stage",
    maxInputBytes: 1e9,
  }, {
    io,
    plan: bindRecipe(recipe, { registry: TEST_STEPS }),
  });
  assert.equal(rec.status, "done");
  assert.deepEqual(rec.inputs.map((i) => [i.role, i.label, i.shape]), [
    ["image", false, [5, 6, 7]],
    ["label", true, [5, 6, 7]],
  ]);
  assert.deepEqual(rec.steps.map((s) => [s.index, s.name, s.record]), [[1, "add", { amount: 2 }]]);
  assert.deepEqual(rec.outputs.map((o) => o.path), ["a_image.nii.gz", "a_label.nii.gz"]);
  // Staged only: the main thread publishes them under their final names (staging.ts).
  assert.deepEqual(io.written, []); // never renamed into place by the worker
  assert.ok(files.has(staged("a_image.nii.gz")) && files.has(staged("a_label.nii.gz")));
  assert.deepEqual([...files.keys()].filter((k) => k.startsWith("/out/a_")), []);
  const img = files.get(staged("a_image.nii.gz"))!;
  assert.equal(img.data[0], 2); // 0 + 2
  assert.equal(files.get(staged("a_label.nii.gz"))!.data[1], 1); // labels untouched
  assert.equal(rec.steps[0].items[0].spacing[2].toFixed(6), "2.500000");
});

Deno.test("runSubject forks augment copies with seeds from (run seed, id, step, copy)", () => {
  const { files, job, io } = setup();
  const recipe = testRecipe([
    { step: "load" },
    { step: "add", amount: 1 },
    { step: "jitter", copies: 3 },
    { step: "save", name: "{id}_{role}_{copy}.nii" },
  ], 11);
  const rec = runSubject(job, {
    recipe,
    outDir: "/out",
    stagingDir: "/out/.stage",
    maxInputBytes: 1e9,
  }, {
    io,
    plan: bindRecipe(recipe, { registry: TEST_STEPS }),
  });
  assert.equal(rec.status, "done");
  assert.deepEqual(rec.steps.map((s) => [s.name, s.copy]), [
    ["add", 0],
    ["jitter", 0],
    ["jitter", 1],
    ["jitter", 2],
  ]);
  for (const s of rec.steps.slice(1)) assert.equal(s.seed, deriveSeed(11, "a", 2, s.copy));
  assert.equal(rec.outputs.length, 6);
  const copy2 = files.get(staged("a_image_2.nii"))!;
  assert.equal(copy2.data[0], 1 + (rec.steps[3].record.offset as number));
});

Deno.test("runSubject replays one copy with the recorded drawn values", () => {
  const { files, job, io } = setup();
  const recipe = testRecipe([
    { step: "load" },
    { step: "jitter", copies: 3 },
    { step: "save", name: "{id}_{role}_{copy}.nii.gz" },
  ]);
  const init = { recipe, outDir: "/out", stagingDir: "/out/.stage", maxInputBytes: 1e9 };
  const replayed = runSubject(
    {
      ...job,
      replay: { copy: 1, steps: [{ index: 1, copy: 1, record: { offset: 500 } }] as never },
    },
    init,
    { io, plan: bindRecipe(recipe, { registry: TEST_STEPS }) },
  );
  assert.deepEqual(replayed.steps.map((s) => [s.copy, s.record.offset]), [[1, 500]]);
  assert.deepEqual(replayed.outputs.map((o) => o.path), ["a_image_1.nii.gz", "a_label_1.nii.gz"]);
  assert.equal(files.get(staged("a_image_1.nii.gz"))!.data[0], 500);
});

Deno.test("runSubject records a failing step and removes the subject's staged outputs", () => {
  const { files, job, io } = setup();
  const recipe = testRecipe([
    { step: "load" },
    { step: "jitter", copies: 2 },
    { step: "add", amount: 1, failOn: "a" },
    { step: "save", name: "{id}_{role}_{copy}.nii.gz" },
  ]);
  const rec = runSubject(job, {
    recipe,
    outDir: "/out",
    stagingDir: "/out/.stage",
    maxInputBytes: 1e9,
  }, {
    io,
    plan: bindRecipe(recipe, { registry: TEST_STEPS }),
  });
  assert.equal(rec.status, "failed");
  assert.deepEqual(rec.error, { step: 2, name: "add", message: "add refuses subject a" });
  assert.deepEqual(rec.outputs, []);
  assert.equal([...files.keys()].filter((k) => k.startsWith("/out")).length, 0);
});

Deno.test("runSubject fails a subject whose manifest row lacks a role load needs", () => {
  const { job, io } = setup();
  const recipe = testRecipe([{ step: "load", roles: ["image", "t2"] }, { step: "save" }]);
  const rec = runSubject(job, {
    recipe,
    outDir: "/out",
    stagingDir: "/out/.stage",
    maxInputBytes: 1e9,
  }, {
    io,
    plan: bindRecipe(recipe, { registry: TEST_STEPS }),
  });
  assert.equal(rec.status, "failed");
  assert.equal(rec.error?.step, 0);
  assert.match(rec.error!.message, /Cannot load role "t2"/);
});

Deno.test("bindRecipe refuses a step missing from the registry (workers bind once, at init)", () => {
  const recipe = {
    version: 1,
    name: "x",
    seed: 0,
    steps: [{ step: "load", params: {} }, { step: "nope", params: {} }],
  };
  assert.throws(
    () => bindRecipe(recipe, { registry: TEST_STEPS }),
    (e: unknown) =>
      e instanceof RecipeError &&
      e.message === 'steps[1]: Cannot run step "nope": it is not in the registry',
  );
});
