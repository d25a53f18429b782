/**
 * resample_emit.ts: the write of each output plane. The fast loops (one run of valid columns,
 * float64 values rounded straight into the stored type) must give exactly what the per-voxel
 * definition gives: `float32Keeping` into float32, and `roundAndClamp` of the stored float
 * for the rounded output, with the same clamped/NaN counts.
 */
import assert from "node:assert/strict";
import { float32Keeping, roundAndClamp, type Rounding } from "../../src/volume/dtype.ts";
import type { AxisTaps } from "../../src/volume/interpolate.ts";
import { emitPlane, emitPlaneRounded, type RoundedOut } from "../../src/volume/resample_emit.ts";

/** Tap tables with only what the emitters read (m and valid). */
function taps(vx: number[], vy: number[], vz: number[]): [AxisTaps, AxisTaps, AxisTaps] {
  const axis = (valid: number[]): AxisTaps => ({
    n: valid.length,
    m: valid.length,
    taps: 1,
    idx: new Int32Array(valid.length),
    w: new Float64Array(valid.length),
    valid: Uint8Array.from(valid),
  });
  return [axis(vx), axis(vy), axis(vz)];
}

/** Values next to every rounding boundary, beyond int16, NaN and ±∞. */
function hardValues(n: number, seed: number): Float64Array {
  const special = [
    0.5,
    -0.5,
    1.5,
    -1.5,
    2.5,
    -2.5,
    0.49999999999999994,
    -0.49999999999999994,
    0.5000000000000001,
    32767.5,
    32767.499999999996,
    -32768.5,
    -32768.49999999999,
    40000.7,
    -1e9,
    1e300,
    NaN,
    Infinity,
    -Infinity,
    -0,
    0,
    1e-300,
    2 ** 22 + 0.5,
    7,
  ];
  const out = new Float64Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    const r = s / 0x7fffffff;
    out[i] = i % 3 === 0
      ? special[(i / 3 + seed) % special.length] // each one, at places varying with the seed
      : i % 3 === 1
      ? Math.round(r * 8000 - 4000) / 2 + (s % 5 === 0 ? 2 ** -40 : 0) // halves, just off
      : (r - 0.5) * 80000;
  }
  return out;
}

const MX = 9, MY = 8;
const MASKS: [number[], number[]][] = [
  [[1, 1, 1, 1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1, 1, 1]], // everything inside
  [[0, 0, 1, 1, 1, 1, 1, 0, 0], [0, 1, 1, 1, 1, 1, 1, 0]], // one run of columns: the fast loop
  [[1, 0, 1, 1, 0, 1, 1, 1, 0], [1, 1, 0, 1, 1, 1, 1, 1]], // not one run: per-column loop
  [[0, 0, 0, 0, 0, 0, 0, 0, 0], [1, 1, 1, 1, 1, 1, 1, 1]], // nothing inside
];

Deno.test("emitPlane stores float32Keeping (keeping) or the nearest float32 of each value (or of the blend), fill outside", () => {
  let differ = 0;
  for (const [vx, vy] of MASKS) {
    for (const blended of [false, true]) {
      for (const keeping of [true, false]) {
        const a = hardValues(MX * MY, 3), b = hardValues(MX * MY, 11);
        for (let p = 0; p < b.length; p += 2) b[p] = a[p]; // a + (a − a) · wb: the specials
        const wb = 0.375;
        const out = new Float32Array(MX * MY + 2).fill(99);
        const fill = -5;
        const blend = blended ? { plane: b, wb } : undefined;
        emitPlane(a, out, 1, taps(vx, vy, [1]), 0, fill, blend, keeping);
        assert.equal(out[0], 99);
        assert.equal(out[MX * MY + 1], 99);
        for (let j = 0; j < MY; j++) {
          for (let i = 0; i < MX; i++) {
            const p = j * MX + i;
            const x = blended ? a[p] + (b[p] - a[p]) * wb : a[p];
            const inside = vx[i] && vy[j];
            const want = inside ? (keeping ? float32Keeping(x) : x) : fill;
            if (inside && float32Keeping(x) !== Math.fround(x)) differ++;
            assert.ok(Object.is(out[1 + p], Math.fround(want)), `${vx} ${blended} ${p}: ${x}`);
          }
        }
      }
    }
  }
  assert.ok(differ > 0, "some values' float32Keeping is not their nearest float32 (premise)");
});

Deno.test("emitPlane without a blend keeps ±∞ (no lerp with a zero weight)", () => {
  const a = Float64Array.from([Infinity, -Infinity, 3, NaN]);
  for (const out of [new Float32Array(4), new Float64Array(4)]) {
    emitPlane(a, out, 0, taps([1, 1, 1, 1], [1], [1]), 0, 0);
    assert.deepEqual(Array.from(out), [Infinity, -Infinity, 3, NaN]);
  }
  const a32 = Float32Array.from([Infinity, -Infinity, 2.5]);
  const out = new Float32Array(3);
  emitPlane(a32, out, 0, taps([1, 1, 1], [1], [1]), 0, 0);
  assert.deepEqual(Array.from(out), [Infinity, -Infinity, 2.5]);
});

/** What `save` makes of what `emitPlane` stores (float32 path when `f32`). */
function reference(x: number, f32: boolean, min: number, max: number, rounding: Rounding) {
  const stored = f32 ? float32Keeping(x) : x;
  const r0 = roundAndClamp(stored, -Infinity, Infinity, rounding);
  const r = roundAndClamp(stored, min, max, rounding);
  return { r, clamped: stored === stored && r !== r0, nan: stored !== stored };
}

Deno.test("emitPlaneRounded rounds exactly as save rounds the float path's stored values", () => {
  const types = [
    { out: () => new Int16Array(MX * MY), min: -32768, max: 32767, f32: true },
    { out: () => new Uint8Array(MX * MY), min: 0, max: 255, f32: true },
    { out: () => new Uint16Array(MX * MY), min: 0, max: 65535, f32: true },
    { out: () => new Int32Array(MX * MY), min: -(2 ** 31), max: 2 ** 31 - 1, f32: false },
    // A float32 path into int32: beyond ±2^22 float32 has no halves (the stored float rounds).
    { out: () => new Int32Array(MX * MY), min: -(2 ** 31), max: 2 ** 31 - 1, f32: true },
  ];
  for (const t of types) {
    for (const [vx, vy] of MASKS) {
      for (const rounding of ["nearest", "truncate"] as const) {
        for (const blended of [false, true]) {
          for (const fill of [0, 1e6, -2.5]) {
            const a = hardValues(MX * MY, 5), b = hardValues(MX * MY, 17);
            for (let p = 0; p < b.length; p += 2) b[p] = a[p];
            const wb = 0.625;
            const to: RoundedOut = { ...t, out: t.out(), rounding, clamped: 0, nan: 0 };
            const blend = blended ? { plane: b, wb } : undefined;
            emitPlaneRounded(a, to, 0, taps(vx, vy, [1]), 0, fill, blend);
            let clamped = 0, nan = 0;
            for (let j = 0; j < MY; j++) {
              for (let i = 0; i < MX; i++) {
                const p = j * MX + i;
                const x = !(vx[i] && vy[j])
                  ? (t.f32 ? Math.fround(fill) : fill)
                  : blended
                  ? a[p] + (b[p] - a[p]) * wb
                  : a[p];
                // The fill is stored as is (TypedArray.fill), values with float32Keeping.
                const ref = vx[i] && vy[j]
                  ? reference(x, t.f32, t.min, t.max, rounding)
                  : reference(x, false, t.min, t.max, rounding);
                const what = `${t.out().constructor.name} f32 ${t.f32} ${vx} ${rounding} ` +
                  `${blended} fill ${fill} at ${p}: ${x}`;
                assert.equal(to.out[p], ref.r, what);
                if (ref.clamped) clamped++;
                if (ref.nan) nan++;
              }
            }
            assert.equal(to.clamped, clamped);
            assert.equal(to.nan, nan);
          }
        }
      }
    }
  }
});

Deno.test("emitPlaneRounded: a whole invalid plane is the rounded fill, counted once per voxel", () => {
  const to: RoundedOut = {
    out: new Uint8Array(MX * MY),
    min: 0,
    max: 255,
    rounding: "nearest",
    f32: true,
    clamped: 0,
    nan: 0,
  };
  emitPlaneRounded(hardValues(MX * MY, 1), to, 0, taps(MASKS[0][0], MASKS[0][1], [0]), 0, 300);
  assert.deepEqual(new Set(to.out), new Set([255]));
  assert.equal(to.clamped, MX * MY);
  assert.equal(to.nan, 0);
});
