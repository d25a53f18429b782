/** resample_apply.ts: rounding into the sink's stored type only where `directSaveType` allows. */
import assert from "node:assert/strict";
import { resampleToSize } from "../../../src/steps/spatial/resample_to_size.ts";
import type { Item, StepContext } from "../../../src/steps/step.ts";
import type { SaveTarget } from "../../../src/volume/encode.ts";
import { encodeForSave } from "../../../src/volume/encode.ts";
import { makeVolume } from "../../_volumes.ts";

function item(label: boolean, role: string): Item {
  const volume = makeVolume({
    shape: [6, 5, 4],
    dtype: "int16",
    fn: (i, j, k) => i * 7 - j * 3 + k,
  });
  return { role, label, volume, inputDType: "int16", sourcePath: `/in/${role}.nii` };
}

/** The step before a save with `target`; `direct`: told so (else only the float plan knows). */
function apply(target: SaveTarget, direct = true) {
  const ctx: StepContext = {
    subjectId: "s",
    stepIndex: 1,
    copy: 0,
    seed: 1,
    ...(direct ? { save: target } : {}),
    floats: { exact: false, target },
    warn: () => {},
  };
  const params = resampleToSize.params.parse({ size: [11, 9, 7], interpolation: "linear" });
  const subject = { id: "s", copy: 0, items: [item(false, "image"), item(true, "label")] };
  return resampleToSize.apply(subject, params, ctx).subject.items;
}

Deno.test("resample before an int16 save emits int16 rounded as save would; labels untouched", () => {
  const [image, label] = apply({ dtype: "auto", rounding: "truncate" });
  assert.equal(image.volume.dtype, "int16");
  assert.deepEqual(image.saveEncoded, {
    dtype: "int16",
    rounding: "truncate",
    clamped: 0,
    nan: 0,
    between: "float32",
  });
  assert.equal(label.saveEncoded, undefined);
  const [floatImage] = apply({ dtype: "auto", rounding: "truncate" }, false);
  assert.equal(floatImage.volume.dtype, "float32");
  const saved = encodeForSave(floatImage, "auto", { rounding: "truncate" });
  assert.deepEqual(
    Array.from(image.volume.data as Int16Array),
    Array.from(saved.volume.data as Int16Array),
  );
  assert.equal(encodeForSave(image, "auto", { rounding: "truncate" }).reason, saved.reason);
  // A save with another rounding than the values got is an internal error, never silent.
  assert.throws(() => encodeForSave(image, "auto", { rounding: "nearest" }), /rounded early/);
});

Deno.test("resample before a float32 (or uint8) save stays float", () => {
  for (const dtype of ["float32", "uint8"] as const) {
    const [image] = apply({ dtype, rounding: "nearest" });
    assert.equal(image.volume.dtype, "float32", dtype);
    assert.equal(image.saveEncoded, undefined, dtype);
  }
});
