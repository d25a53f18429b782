import assert from "node:assert/strict";
import type { DType } from "../../src/volume/dtype.ts";
import {
  type EncodableItem,
  encodeForSave,
  type FloatPlan,
  floatStorageOf,
  REAL_UNITS,
} from "../../src/volume/encode.ts";
import type { Volume } from "../../src/volume/volume.ts";
import { makeVolume } from "../_volumes.ts";

function item(volume: Volume, inputDType: DType, extra: Partial<EncodableItem> = {}) {
  return { label: false, volume, inputDType, ...extra };
}

/** A 5×6×7 volume whose first voxels are `head` and the rest `rest`. */
function withHead(dtype: DType, head: number[], rest = 0, scaling = {}) {
  return makeVolume({
    dtype,
    fn: (i, j, k) => (i + 5 * j + 30 * k < head.length ? head[i + 5 * j + 30 * k] : rest),
    ...scaling,
  });
}

Deno.test("encodeForSave auto keeps the current storage and says why", () => {
  const v = makeVolume({ dtype: "int16", slope: 2, inter: -5 });
  const kept = encodeForSave(item(v, "int16"), "auto");
  assert.equal(kept.volume, v);
  assert.equal(kept.dtype, "int16");
  assert.equal(kept.reason, "kept input type int16");
  assert.equal(kept.clamped, 0);
  const f = makeVolume({ dtype: "float32" });
  const why = "normalize (zscore) made values fractional";
  const changed = encodeForSave(item(f, "int16", { dtypeReason: why }), "auto");
  assert.equal(changed.volume, f);
  assert.equal(changed.reason, `float32: ${why}`);
});

Deno.test("encodeForSave keep rounds half away from zero, clamps and counts", () => {
  const v = withHead("float32", [2.5, -2.5, 1.4999, -0.5, 40000, NaN, -1e6, 0.5]);
  const before = v.data.slice();
  const out = encodeForSave(item(v, "int16"), "keep");
  assert.equal(out.dtype, "int16");
  assert.equal(out.volume.dtype, "int16");
  assert.equal(out.volume.slope, 1);
  assert.equal(out.volume.inter, 0);
  assert.deepEqual([...out.volume.data.slice(0, 8)], [3, -3, 1, -1, 32767, 0, -32768, 1]);
  assert.equal(out.clamped, 3);
  assert.equal(
    out.reason,
    "kept input type int16: 2 voxels clamped to [-32768, 32767], 1 voxel NaN written as 0",
  );
  assert.deepEqual(v.data, before, "input not mutated");
  assert.deepEqual(out.volume.affine, v.affine);
  assert.deepEqual(out.volume.shape, v.shape);
});

Deno.test("encodeForSave explicit type re-encodes real values (slope applied)", () => {
  const v = withHead("int16", [100, 3, -1, 0], 7, { slope: 2.5, inter: -1 });
  const u8 = encodeForSave(item(v, "int16"), "uint8");
  // Real values 249, 6.5, -3.5, -1, 16.5 → 249, 7, 0 (clamped), 0 (clamped), 17.
  assert.deepEqual([...u8.volume.data.slice(0, 5)], [249, 7, 0, 0, 17]);
  assert.equal(u8.clamped, 2);
  assert.equal(u8.reason, "explicit uint8: 2 voxels clamped to [0, 255]");
  const f = encodeForSave(item(v, "int16"), "float32");
  assert.deepEqual([...f.volume.data.slice(0, 4)], [249, 6.5, -3.5, -1]);
  assert.equal(f.clamped, 0);
  assert.equal(encodeForSave(item(v, "int16"), "int16").volume, v, "same type: unchanged");
});

Deno.test("encodeForSave saturates 64-bit integers exactly", () => {
  const v = withHead("float64", [1e19, -1e19, 2.5]);
  const out = encodeForSave(item(v, "float64"), "int64");
  assert.deepEqual([...out.volume.data.slice(0, 3)], [(1n << 63n) - 1n, -(1n << 63n), 3n]);
  assert.equal(out.clamped, 2);
});

Deno.test("encodeForSave gives labels the smallest integer type holding their values", () => {
  const cases: [number[], DType][] = [[[0, 4, 2], "uint8"], [[-1, 300], "int16"], [
    [0, 70000],
    "int32",
  ], [[0, 255.4], "uint8"]];
  for (const [head, want] of cases) {
    const v = withHead("float32", head);
    const out = encodeForSave(item(v, "float32", { label: true }), "auto");
    assert.equal(out.dtype, want, `${head}`);
    assert.deepEqual([...out.volume.data.slice(0, head.length)], head.map(Math.round));
    assert.match(out.reason, new RegExp(`^label, ${want}: smallest integer type`));
  }
});

Deno.test("encodeForSave keeps a label's integer type even when float is asked for", () => {
  const v = withHead("uint8", [0, 1, 2]);
  const auto = encodeForSave(item(v, "uint8", { label: true }), "auto");
  assert.equal(auto.volume, v);
  assert.equal(auto.reason, "label, kept input type uint8");
  const f = encodeForSave(item(v, "uint8", { label: true }), "float32");
  assert.equal(f.dtype, "uint8");
  assert.equal(f.volume, v);
  assert.match(f.reason, /float32 requested; label roles always keep an integer type/);
  const i16 = encodeForSave(item(v, "uint8", { label: true }), "int16");
  assert.equal(i16.dtype, "int16");
  assert.deepEqual([...i16.volume.data.slice(0, 3)], [0, 1, 2]);
  const fl = withHead("float32", [3, 1]);
  const keep = encodeForSave(item(fl, "int16", { label: true }), "keep");
  assert.equal(keep.dtype, "int16");
  const back = encodeForSave(item(fl, "int16", { label: true }), "auto");
  assert.equal(back.dtype, "int16", "a float label whose input was integer gets the input type");
  assert.deepEqual([...back.volume.data.slice(0, 3)], [3, 1, 0]);
});

Deno.test("encodeForSave keep re-encodes with the input's slope and inter", () => {
  // A scanner-style uint8 CT (value = raw × 7.1098 − 1024) that became float32 after a step.
  const hu = [-1024, -1000.5, 0, 40, 789, 3000];
  const v = withHead("float32", hu, -1024);
  const out = encodeForSave(
    item(v, "uint8", { inputSlope: 7.1098, inputInter: -1024 }),
    "keep",
  );
  assert.equal(out.dtype, "uint8");
  assert.equal(out.volume.slope, 7.1098);
  assert.equal(out.volume.inter, -1024);
  assert.equal(out.clamped, 1); // 3000 HU is above 255 × 7.1098 − 1024
  assert.match(out.reason, /kept input type uint8 with slope 7.1098, inter -1024/);
  for (let i = 0; i < hu.length - 1; i++) {
    const back = Number(out.volume.data[i]) * 7.1098 - 1024;
    assert.ok(Math.abs(back - hu[i]) <= 7.1098 / 2 + 1e-9, `voxel ${i}: ${back} vs ${hu[i]}`);
  }
  assert.equal(out.volume.data[hu.length - 1], 255);
});

Deno.test("encodeForSave rounding: truncate clamps, then rounds toward zero (ITK's cast)", () => {
  const v = withHead("float32", [2.7, -2.7, 40000.9, -1e6, NaN, 0.5, -0.5, 32767.9]);
  const t = encodeForSave(item(v, "int16"), "keep", { rounding: "truncate" });
  assert.deepEqual([...t.volume.data.slice(0, 8)], [2, -2, 32767, -32768, 0, 0, 0, 32767]);
  assert.equal(
    t.reason,
    "kept input type int16 (rounding: truncate): 2 voxels clamped to [-32768, 32767], 1 voxel NaN written as 0",
  );
  const n = encodeForSave(item(v, "int16"), "keep", { rounding: "nearest" });
  assert.deepEqual([...n.volume.data.slice(0, 8)], [3, -3, 32767, -32768, 0, 1, -1, 32767]);
  // auto: values of the input's kind (a resampled int16) go back into int16 with its scaling.
  const f = withHead("float32", [10.5, -3.25], 0, { slope: 0.5, inter: 3 });
  const auto = encodeForSave(item(f, "int16"), "auto", { rounding: "truncate" });
  assert.equal(auto.dtype, "int16");
  assert.equal(auto.volume.slope, 0.5);
  assert.equal(auto.volume.inter, 3);
  assert.deepEqual([...auto.volume.data.slice(0, 2)], [10, -3]);
  assert.deepEqual(auto.warnings, []);
});

Deno.test("encodeForSave warns about clamped voxels and non-integer or NaN label values", () => {
  const v = withHead("float32", [40000, NaN]);
  assert.deepEqual(encodeForSave(item(v, "int16"), "keep").warnings, [
    "1 voxel clamped into the range of int16",
    "1 voxel NaN written as 0 (int16 has no NaN)",
  ]);
  const seg = withHead("float32", [0.5, 1, 2.25, NaN]);
  const out = encodeForSave(item(seg, "float32", { label: true, role: "seg" }), "auto");
  assert.deepEqual(out.warnings, [
    'label role "seg" has 1 NaN voxel (written as 0)',
    'label role "seg" has 2 non-integer values (is it really a label map?); rounded to uint8',
  ]);
});

Deno.test("floatStorageOf: float32 only where save stores it in the same units, else float64", () => {
  const save = (dtype: string): FloatPlan => ({
    exact: false,
    target: { dtype: dtype as DType, rounding: "nearest" },
  });
  const plain = item(makeVolume({ dtype: "int16" }), "int16");
  const scaled = item(makeVolume({ dtype: "int16", slope: 0.7, inter: -3 }), "int16", {
    inputSlope: 0.7,
    inputInter: -3,
  });
  const cases: [
    EncodableItem,
    FloatPlan | undefined,
    { slope: number; inter: number } | undefined,
    string,
  ][] = [
    [plain, undefined, undefined, "float64"],
    [plain, { exact: true }, undefined, "float64"],
    [plain, save("auto"), undefined, "float32-keeping"],
    [plain, save("int16"), undefined, "float32-keeping"],
    [plain, save("uint8"), undefined, "float32-keeping"],
    [plain, save("int32"), undefined, "float64"], // float32Keeping is exact below 2^22 only
    [plain, save("float32"), undefined, "float32"],
    [plain, save("float64"), undefined, "float64"],
    [{ ...plain, dtypeReason: "normalize" }, save("auto"), REAL_UNITS, "float32"],
    [{ ...plain, label: true }, save("auto"), undefined, "float64"],
    // Scaled: save re-encodes auto / keep in the same raw units, explicit types in real ones.
    [scaled, save("auto"), undefined, "float32-keeping"],
    [scaled, save("keep"), undefined, "float32-keeping"],
    [scaled, save("int16"), undefined, "float64"],
    [scaled, save("float32"), undefined, "float64"],
    // Real values (clip, normalize) saved with the input's scaling: other units.
    [scaled, save("keep"), REAL_UNITS, "float64"],
    [plain, save("keep"), REAL_UNITS, "float32-keeping"],
  ];
  for (const [it, plan, units, want] of cases) {
    const label = `${it.volume.slope}/${it.dtypeReason} ${JSON.stringify(plan)} ${
      JSON.stringify(units)
    }`;
    assert.equal(floatStorageOf(it, plan, units), want, label);
  }
});

Deno.test("encodeForSave explicit float32 of a float volume in scaled units stores real values", () => {
  const v = makeVolume({ dtype: "float32", slope: 0.5, inter: 10, fn: (i) => i + 0.25 });
  const out = encodeForSave(item(v, "int16"), "float32");
  assert.equal(out.volume.slope, 1);
  assert.equal(out.volume.inter, 0);
  assert.equal(out.volume.data[1], 10.625); // 1.25 · 0.5 + 10
});
