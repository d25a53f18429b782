/**
 * Differential test of resample-to-size / resample-to-spacing (SPEC §3) against an
 * independent numpy/scipy implementation (_resample_ref.py) on random seeded geometries:
 * sizes with 1- and 2-voxel axes, large up/down and non-integer ratios, oblique and sheared
 * affines, every grid × interpolation, antialias on/off, null axes, int16/uint8/float32
 * inputs with scaling, 4D inputs and label roles — run through the real steps.
 * Tolerances as shared/reference/README: float ≤ 1e-4 of the data's magnitude; integer
 * outputs and nearest picks may differ only where the exact value / coordinate is within
 * 0.005 / 1e-6 of a .5 boundary. Skipped with a notice when /usr/bin/python3 lacks scipy.
 */
import assert from "node:assert/strict";
import { createRng, type Rng } from "../../src/random/rng.ts";
import type { Item, StepContext, StepDefinition } from "../../src/steps/step.ts";
import { resampleToSize } from "../../src/steps/spatial/resample_to_size.ts";
import { resampleToSpacing } from "../../src/steps/spatial/resample_to_spacing.ts";
import { createVoxelArray, type DType, DTYPE_INFO, encodeValue } from "../../src/volume/dtype.ts";
import { createVolume, valueAt, type Volume } from "../../src/volume/volume.ts";
import { encodeForSave } from "../../src/volume/encode.ts";

const PYTHON = "/usr/bin/python3";
const REF = new URL("./_resample_ref.py", import.meta.url).pathname;

function scipyAvailable(): boolean {
  try {
    return new Deno.Command(PYTHON, { args: ["-c", "import scipy.ndimage"], stderr: "null" })
      .outputSync().code === 0;
  } catch {
    return false;
  }
}

interface Case {
  id: string;
  input: string;
  shape: [number, number, number];
  frames: number;
  affine: number[][];
  size?: (number | null)[];
  spacing?: (number | null)[];
  grid: "center" | "origin" | "corners" | "edge";
  interpolation: "nearest" | "linear" | "bspline";
  antialias: boolean;
  fill: number;
  label: boolean;
  dtype: DType;
  slope: number;
  inter: number;
}

function randomAffine(rng: Rng): number[][] {
  const [a, b, c] = [0, 1, 2].map(() => rng.uniform(-Math.PI, Math.PI));
  const rz = [[Math.cos(a), -Math.sin(a), 0], [Math.sin(a), Math.cos(a), 0], [0, 0, 1]];
  const ry = [[Math.cos(b), 0, Math.sin(b)], [0, 1, 0], [-Math.sin(b), 0, Math.cos(b)]];
  const rx = [[1, 0, 0], [0, Math.cos(c), -Math.sin(c)], [0, Math.sin(c), Math.cos(c)]];
  const mul = (p: number[][], q: number[][]) =>
    p.map((row) => [0, 1, 2].map((j) => row[0] * q[0][j] + row[1] * q[1][j] + row[2] * q[2][j]));
  const shear = rng.bernoulli(0.3)
    ? [[1, rng.uniform(-0.3, 0.3), rng.uniform(-0.3, 0.3)], [0, 1, rng.uniform(-0.3, 0.3)], [
      0,
      0,
      1,
    ]]
    : [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
  const flip = rng.bernoulli(0.3) ? -1 : 1;
  const zoom = [0, 1, 2].map(() => rng.uniform(0.4, 3.5));
  const m = mul(mul(mul(rz, ry), rx), shear);
  return [
    ...[0, 1, 2].map((r) => [
      m[r][0] * zoom[0] * flip,
      m[r][1] * zoom[1],
      m[r][2] * zoom[2],
      rng.uniform(-100, 100),
    ]),
    [0, 0, 0, 1],
  ];
}

function axisSize(rng: Rng): number {
  const pick = rng.int(0, 9);
  return pick === 0 ? 1 : pick === 1 ? 2 : pick === 2 ? rng.int(13, 24) : rng.int(3, 12);
}

function makeCase(rng: Rng, n: number, dir: string): { c: Case; volume: Volume } {
  const shape = [axisSize(rng), axisSize(rng), axisSize(rng)] as [number, number, number];
  const frames = rng.bernoulli(0.15) ? 2 : 1;
  const dtype = rng.bernoulli(0.75)
    ? (["int16", "uint8", "float32"] as const)[rng.int(0, 2)]
    : (["int8", "uint16", "int32", "uint32", "int64", "uint64", "float64"] as const)[rng.int(0, 6)];
  const float = dtype.startsWith("float");
  const label = !float && rng.bernoulli(0.2);
  const affine = randomAffine(rng);
  const toSize = rng.bernoulli(0.5);
  const grid = (toSize ? ["center", "origin", "corners"] : ["center", "origin", "edge"])[
    rng.int(0, 2)
  ] as Case["grid"];
  const norms = [0, 1, 2].map((a) => Math.hypot(affine[0][a], affine[1][a], affine[2][a]));
  const target = [0, 1, 2].map((a) => {
    if (rng.bernoulli(0.15)) return null;
    // M / N: integer ratios (exact edges and ties), big shrinks, anything in between.
    const ratio = rng.bernoulli(0.3)
      ? [0.5, 2, 3, 1 / 3, 1][rng.int(0, 4)]
      : rng.bernoulli(0.3)
      ? rng.uniform(0.1, 0.5)
      : rng.uniform(0.5, 4);
    if (toSize) return Math.max(1, Math.min(30, Math.round(shape[a] * ratio)));
    return Math.max(norms[a] * shape[a] / 30, norms[a] / ratio);
  });
  const scaled = !float && rng.bernoulli(0.3);
  const slope = scaled ? [0.5, -0.25, 3][rng.int(0, 2)] : 1;
  const inter = scaled ? [-3, 7.5, 0][rng.int(0, 2)] : 0;
  const data = createVoxelArray(dtype, shape[0] * shape[1] * shape[2] * frames);
  const { min, max } = DTYPE_INFO[dtype];
  const [lo, hi] = [Math.max(min, -1000), Math.min(max, 3000)];
  for (let i = 0; i < data.length; i++) {
    const v = label ? rng.int(0, 4) : float ? rng.normal() * 300 + 50 : rng.int(lo, hi);
    if (data instanceof BigInt64Array || data instanceof BigUint64Array) data[i] = BigInt(v);
    else data[i] = v;
  }
  const volume = createVolume({ shape, frames, data, affine, slope, inter });
  const fills = min === 0 ? [0, 7] : [0, -2.5, 40];
  const c: Case = {
    id: `case${n}`,
    input: `${dir}/case${n}.f64`,
    shape,
    frames,
    affine,
    ...(toSize ? { size: target } : { spacing: target }),
    grid,
    interpolation: (["nearest", "linear", "bspline"] as const)[rng.int(0, 2)],
    antialias: rng.bernoulli(0.4),
    fill: fills[rng.int(0, fills.length - 1)],
    label,
    dtype,
    slope,
    inter,
  };
  return { c, volume };
}

const CONTEXT: StepContext = { subjectId: "r", stepIndex: 0, copy: 0, seed: 0, warn: () => {} };

/** The step's output (real values between steps) and what `save` (dtype auto) stores. */
function runStep(c: Case, volume: Volume): { step: Volume; saved: Volume } {
  const def = (c.size ? resampleToSize : resampleToSpacing) as StepDefinition;
  const raw = {
    ...(c.size ? { size: c.size } : { spacing: c.spacing }),
    grid: c.grid,
    interpolation: c.interpolation,
    antialias: c.antialias,
    fill: c.fill,
  };
  const item: Item = {
    role: c.label ? "label" : "image",
    label: c.label,
    volume,
    inputDType: volume.dtype,
    inputSlope: volume.slope,
    inputInter: volume.inter,
    sourcePath: c.input,
  };
  const result = def.apply!({ id: "r", copy: 0, items: [item] }, def.params.parse(raw), CONTEXT);
  const out = result.subject.items[0];
  return { step: out.volume, saved: encodeForSave(out, "auto").volume };
}

/** SPEC §2: the step's own values are the float pipeline's (before any rounding). */
function compareReal(c: Case, step: Volume, expected: Float64Array): string[] {
  let magnitude = 1;
  for (const v of expected) magnitude = Math.max(magnitude, Math.abs(v));
  const nearest = c.label || c.interpolation === "nearest";
  let bad = 0;
  const problems: string[] = [];
  for (let i = 0; i < expected.length; i++) {
    const got = valueAt(step, i);
    // nearest: exact input values (or the fill), up to coordinate ties checked on the saved output
    if (nearest || Math.abs(got - expected[i]) <= 1e-4 * magnitude) continue;
    if (++bad <= 3) problems.push(`step value ${i}: ${got} vs ${expected[i]} (before save)`);
  }
  if (bad > 3) problems.push(`… ${bad} step values in all`);
  return problems;
}

interface RefAnswer {
  id: string;
  shape: number[];
  affine: number[][];
  coords: number[][];
}

/** Problems of one case: shape, dtype, affine, then voxels outside the tolerance. */
function compare(c: Case, out: Volume, ref: RefAnswer, expected: Float64Array): string[] {
  if (out.shape.join() !== ref.shape.join()) return [`shape ${out.shape} vs ${ref.shape}`];
  if (out.dtype !== c.dtype) return [`dtype ${out.dtype} vs ${c.dtype}`];
  const problems: string[] = [];
  const scale = Math.max(1, ...ref.affine.flat().map(Math.abs));
  for (let r = 0; r < 4; r++) {
    for (let q = 0; q < 4; q++) {
      if (!(Math.abs(out.affine[r][q] - ref.affine[r][q]) <= 1e-9 * scale)) {
        problems.push(`affine[${r}][${q}] ${out.affine[r][q]} vs ${ref.affine[r][q]}`);
      }
    }
  }
  const integer = DTYPE_INFO[c.dtype].integer;
  const nearest = c.label || c.interpolation === "nearest";
  const [mx, my] = ref.shape;
  let magnitude = 1;
  for (const v of expected) magnitude = Math.max(magnitude, Math.abs(v));
  let bad = 0;
  for (let i = 0; i < expected.length; i++) {
    const exact = (expected[i] - c.inter) / c.slope;
    const want = integer ? encodeValue(exact, c.dtype) * c.slope + c.inter : expected[i];
    const got = valueAt(out, i);
    const ok = integer && !nearest ? got === want : Math.abs(got - want) <= 1e-4 * magnitude;
    if (ok) continue;
    const x = [i % mx, Math.floor(i / mx) % my, Math.floor(i / (mx * my)) % ref.shape[2]]
      .map((idx, a) => ref.coords[a][idx]);
    // Same float64 formulas on both sides: an exact .5 is decided identically (floor(x + 0.5)).
    const halfCoord = x.some((v) =>
      v - Math.floor(v) !== 0.5 && Math.abs(v - Math.floor(v) - 0.5) < 1e-6
    );
    const halfValue = Math.abs(Math.abs(exact - Math.trunc(exact)) - 0.5) < 0.005;
    if (nearest && halfCoord) continue;
    // Integer outputs of fractional values (linear, bspline, or antialiased nearest).
    if (integer && halfValue && Math.abs(got - want) <= Math.abs(c.slope)) continue;
    if (++bad <= 3) {
      problems.push(
        `voxel ${i} at x=${x.map((v) => v.toFixed(6))}: ${got} vs ${want} (exact ${exact})`,
      );
    }
  }
  if (bad > 3) problems.push(`… ${bad} voxels in all`);
  return problems;
}

const available = scipyAvailable();
if (!available) console.warn(`resample random conformance SKIPPED: ${PYTHON} lacks scipy`);

/** Seed and count; MEDPREP_RESAMPLE_SEED / _COUNT explore further (the suite uses the defaults). */
const SEED = Number(Deno.env.get("MEDPREP_RESAMPLE_SEED") ?? 20261126);
const COUNT = Number(Deno.env.get("MEDPREP_RESAMPLE_COUNT") ?? 120);

Deno.test({
  name: "resample steps agree with a numpy/scipy SPEC §3 implementation on random geometries",
  ignore: !available,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "medprep-resample-random-" });
    try {
      const rng = createRng(SEED);
      const cases = Array.from({ length: COUNT }, (_, n) => makeCase(rng, n, dir));
      for (const { c, volume } of cases) {
        const real = new Float64Array(volume.data.length);
        for (let i = 0; i < real.length; i++) real[i] = valueAt(volume, i);
        await Deno.writeFile(c.input, new Uint8Array(real.buffer));
      }
      const child = new Deno.Command(PYTHON, { args: [REF], stdin: "piped", stdout: "piped" })
        .spawn();
      const w = child.stdin.getWriter();
      await w.write(new TextEncoder().encode(JSON.stringify(cases.map((x) => x.c))));
      await w.close();
      const out = await child.output();
      assert.equal(out.code, 0, "reference implementation failed");
      const answers: RefAnswer[] = new TextDecoder().decode(out.stdout).trim().split("\n").map(
        (l) => JSON.parse(l),
      );
      const failures: string[] = [];
      for (const [n, { c, volume }] of cases.entries()) {
        const bytes = await Deno.readFile(`${c.input}.expected`);
        const expected = new Float64Array(bytes.buffer, bytes.byteOffset, bytes.length / 8);
        const { step, saved } = runStep(c, volume);
        const problems = [
          ...compare(c, saved, answers[n], expected),
          ...compareReal(c, step, expected),
        ];
        if (problems.length) {
          const { input: _, affine: __, ...what } = c;
          failures.push(`${JSON.stringify(what)}: ${problems.join("; ")}`);
        }
      }
      assert.deepEqual(failures, [], failures.join("\n"));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
