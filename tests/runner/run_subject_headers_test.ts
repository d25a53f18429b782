/**
 * Honest headers through a whole subject run (issue 11 item 5, SPEC §2): cal_min/cal_max are
 * kept while values keep their meaning and reset to 0 by any value-changing step; a sheared
 * output is warned about in the subject's provenance.
 */
import assert from "node:assert/strict";
import { bindRecipe } from "../../src/recipe/plan.ts";
import { runSubject } from "../../src/runner/run_subject.ts";
import { stagedPathOf } from "../../src/runner/staging.ts";
import type { ResolvedRecipe } from "../../src/provenance/types.ts";
import { STEPS } from "../../src/steps/registry.ts";
import type { Volume } from "../../src/volume/volume.ts";
import { makeVolume } from "../_volumes.ts";
import { createMemoryIo } from "./_fake.ts";

/** A recipe of real steps, params parsed by their schemas. */
function recipe(steps: { step: string; [k: string]: unknown }[]): ResolvedRecipe {
  return {
    version: 1,
    name: "headers",
    seed: 3,
    steps: steps.map(({ step, ...params }) => ({
      step,
      params: STEPS.find((d) => d.name === step)!.params.parse(params) as Record<string, unknown>,
    })),
  };
}

function run(steps: { step: string; [k: string]: unknown }[], image: Volume) {
  const label = makeVolume({
    shape: [...image.shape],
    dtype: "uint8",
    fn: (i) => i % 3,
    affine: image.affine,
  });
  const files = new Map<string, Volume>([
    ["/in/a_img.nii", image],
    ["/in/a_lab.nii", { ...label, meta: { ...label.meta, calMin: 0, calMax: 2 } }],
  ]);
  const job = { id: "a", row: 2, paths: { image: "/in/a_img.nii", label: "/in/a_lab.nii" } };
  const resolved = recipe([{ step: "load", labels: ["label"] }, ...steps, { step: "save" }]);
  const rec = runSubject(job, {
    recipe: resolved,
    outDir: "/out",
    stagingDir: "/out/.stage",
    maxInputBytes: 1e9,
  }, { io: createMemoryIo(files), plan: bindRecipe(resolved) });
  assert.equal(rec.status, "done", JSON.stringify(rec.error));
  const cal = (role: string) => {
    // Staged by the worker; the main thread publishes it under its final name (staging.ts).
    const m = files.get(stagedPathOf("/out/.stage", `a_${role}.nii.gz`))!.meta;
    return [m.calMin, m.calMax];
  };
  return { rec, image: cal("image"), label: cal("label") };
}

const calibrated = () => {
  const v = makeVolume({ shape: [9, 8, 7] });
  return { ...v, meta: { ...v.meta, calMin: 10, calMax: 600 } };
};

Deno.test("runSubject keeps cal_min/cal_max through load, resample and spatial augmentation", () => {
  assert.deepEqual(run([], calibrated()).image, [10, 600]);
  const resampled = run([{ step: "resample-to-spacing", spacing: [2, 2, 2] }], calibrated());
  assert.deepEqual([resampled.image, resampled.label], [[10, 600], [0, 2]]);
  const flipped = run([{ step: "augment", transforms: [{ flip: { axes: [0] } }] }], calibrated());
  assert.deepEqual(flipped.image, [10, 600]);
});

Deno.test("runSubject resets cal_min/cal_max to 0 after clip, normalize and intensity augmentation", () => {
  const cases: { step: string; [k: string]: unknown }[][] = [
    [{ step: "clip", min: 0, max: 300 }],
    [{ step: "normalize", method: "zscore" }],
    [{ step: "resample-to-spacing", spacing: [2, 2, 2] }, { step: "normalize", method: "minmax" }],
    [{ step: "augment", transforms: [{ noise: { std: [1, 2] } }] }],
    [{ step: "augment", transforms: [{ flip: { axes: [0] } }, { gamma: {} }] }],
  ];
  for (const steps of cases) {
    const out = run(steps, calibrated());
    assert.deepEqual(out.image, [0, 0], JSON.stringify(steps));
    // labels pass through intensity steps with their values (and calibration) unchanged
    assert.deepEqual(out.label, [0, 2], JSON.stringify(steps));
  }
});

Deno.test("runSubject warns in provenance when an output's affine is sheared (qform_code 0)", () => {
  const sheared = [[0.9, 0.35, 0, -20], [0, 1.1, 0.2, 10], [0.1, 0, 2.5, 5], [0, 0, 0, 1]];
  const out = run([], makeVolume({ affine: sheared }));
  assert.equal(out.rec.warnings.length, 2, out.rec.warnings.join("\n"));
  for (const [i, role] of ["image", "label"].entries()) {
    assert.match(
      out.rec.warnings[i],
      new RegExp(`^a_${role}\\.nii\\.gz: sheared affine .*qform_code 0`),
    );
  }
  assert.deepEqual(run([], makeVolume()).rec.warnings, []);
});
