/**
 * Issue 15 (peak memory): `normalize` writes its float32 result over float32 voxels the runner
 * says nothing reads afterwards (`StepContext.owns`), with the same bytes as a fresh result —
 * never over a role another role still reads as its mask.
 */
import assert from "node:assert/strict";
import { normalize } from "../../../src/steps/intensity/normalize.ts";
import { mapToFloat } from "../../../src/volume/intensity.ts";
import type { FloatStorage } from "../../../src/volume/dtype.ts";
import type { Subject } from "../../../src/steps/step.ts";
import type { Volume } from "../../../src/volume/volume.ts";
import { itemOf, makeContext, makeSubject, makeVolume } from "../../_volumes.ts";

/** Float voxels with zeros, negative zeros and a wide range (clamps, keepZero, outside). */
function image(frames = 1, slope = 1, dtype: "float32" | "float64" = "float32"): Volume {
  return makeVolume({
    dtype,
    frames,
    slope,
    inter: 0,
    fn: (i, j, k, t) =>
      (i + k) % 4 === 0 ? 0 : (i * j) % 5 === 0 ? -0 : Math.sin(i * 1.3 + j - k * 0.7 + t) * 900,
  });
}

function bytes(v: Volume): Uint8Array {
  return new Uint8Array(v.data.buffer, v.data.byteOffset, v.data.byteLength);
}

Deno.test("mapToFloat in place: the fresh result's bytes, in the input's own memory", () => {
  const selection = Uint8Array.from({ length: 5 * 6 * 7 }, (_, i) => (i * 7) % 3 === 0 ? 0 : 1);
  const base = { sub: 12.5, div: 300, mul: 1, add: 0 };
  const cases = [
    { ...base },
    { ...base, lo: -1.5, hi: 0.75 },
    { ...base, keepZero: true },
    { ...base, outside: { selection, mode: "zero" as const } },
    { ...base, outside: { selection, mode: "keep" as const } },
    { ...base, keepZero: true, outside: { selection, mode: "zero" as const }, lo: -2, hi: 2 },
  ];
  // float32 over float32 and float64 over float64 (the same array), float32 results of float64
  // voxels in the first half of their bytes (each voxel read before its bytes are written).
  const kinds: ["float32" | "float64", FloatStorage][] = [
    ["float32", "float32"],
    ["float32", "float32-keeping"],
    ["float64", "float64"],
    ["float64", "float32"],
    ["float64", "float32-keeping"],
  ];
  for (const [c, map] of cases.entries()) {
    for (const [frames, slope] of [[1, 1], [2, 1], [2, 0.5]]) {
      for (const [dtype, storage] of kinds) {
        const maps = Array(frames).fill(map);
        const fresh = mapToFloat(image(frames, slope, dtype), maps, { storage });
        const input = image(frames, slope, dtype);
        const inPlace = mapToFloat(input, maps, { storage, inPlace: true });
        const label = `map ${c}, ${frames} frame(s), slope ${slope}, ${dtype} → ${storage}`;
        assert.equal(inPlace.volume.data.buffer, input.data.buffer, `${label}: in place`);
        assert.equal(inPlace.volume.data.byteOffset, input.data.byteOffset, label);
        assert.equal(inPlace.volume.dtype, storage === "float64" ? "float64" : "float32", label);
        assert.deepEqual(bytes(inPlace.volume), bytes(fresh.volume), label);
        assert.deepEqual(inPlace.clamped, fresh.clamped, label);
        assert.equal(inPlace.volume.slope, 1);
      }
    }
  }
  // Integers, or float32 voxels for a float64 result: a fresh array whatever the caller allows.
  const ints = makeVolume({ dtype: "int16" });
  const f32 = image();
  assert.notEqual(
    mapToFloat(ints, [base], { storage: "float32", inPlace: true }).volume.data,
    ints.data,
  );
  assert.notEqual(
    mapToFloat(f32, [base], { storage: "float64", inPlace: true }).volume.data,
    f32.data,
  );
});

/** The bound plan's word when a float32 save follows: results in float32. */
const FLOAT32_SAVE = { exact: false, target: { dtype: "float32", rounding: "nearest" } } as const;

function run(subject: Subject, raw: Record<string, unknown>, owns: boolean) {
  const ctx = { ...makeContext(), floats: FLOAT32_SAVE, ...(owns ? { owns: () => true } : {}) };
  return normalize.apply!(subject, normalize.params.parse(raw), ctx);
}

Deno.test("normalize in owned float32 voxels gives the same bytes and records", () => {
  for (const raw of [{ method: "zscore", mask: "nonzero" }, { method: "minmax" }]) {
    const want = run(makeSubject({ image: image(2) }), raw, false);
    const subject = makeSubject({ image: image(2) });
    const got = run(subject, raw, true);
    assert.equal(itemOf(got.subject, "image").volume.data, itemOf(subject, "image").volume.data);
    assert.deepEqual(
      bytes(itemOf(got.subject, "image").volume),
      bytes(itemOf(want.subject, "image").volume),
    );
    assert.deepEqual(got.record, want.record);
  }
});

Deno.test("normalize never overwrites a role another role reads as its mask", () => {
  // The mask role comes first: normalized in place it would change the image's selection.
  const make = () =>
    makeSubject({
      brain: makeVolume({ dtype: "float32", fn: (i, j) => (i + j) % 3 === 0 ? 0 : 5 + i }),
      image: image(),
    });
  const raw = { method: "zscore", mask: "brain" };
  const want = run(make(), raw, false);
  const subject = make();
  const got = run(subject, raw, true);
  assert.notEqual(itemOf(got.subject, "brain").volume.data, itemOf(subject, "brain").volume.data);
  for (const role of ["brain", "image"]) {
    assert.deepEqual(
      bytes(itemOf(got.subject, role).volume),
      bytes(itemOf(want.subject, role).volume),
      role,
    );
  }
  assert.deepEqual(got.record, want.record);
});
