/**
 * Conformance: every golden case of ../shared/reference (SPEC §3) run through
 * the real resample step, saved with dtype `keep` (encoded to NIfTI bytes and
 * decoded again), and compared by the rules of that folder's README.
 */
import assert from "node:assert/strict";
import { decodeNifti, readNiftiSync } from "../../src/nifti/nifti_read.ts";
import { encodeNifti } from "../../src/nifti/nifti_write.ts";
import { encodeForSave } from "../../src/volume/encode.ts";
import { columnNorms } from "../../src/volume/affine.ts";
import { createVolume, type Volume } from "../../src/volume/volume.ts";
import type { Item, StepContext, StepDefinition } from "../../src/steps/step.ts";
import { resampleToSize } from "../../src/steps/spatial/resample_to_size.ts";
import { resampleToSpacing } from "../../src/steps/spatial/resample_to_spacing.ts";
import {
  exactTrilinearIsHalf,
  nearHalfCoordinate,
  nearHalfValue,
  specCoordinates,
} from "./_ambiguity.ts";

const ROOT = new URL("../../../shared/reference/", import.meta.url);
const INDEX = new URL("index.json", ROOT);

interface Case {
  id: string;
  input: string;
  role: "image" | "label";
  params: {
    step: string;
    size?: (number | null)[];
    spacing?: (number | null)[];
    grid?: "center" | "origin" | "corners";
    interpolation?: string;
  };
  save_dtype: "keep";
  expected: string;
  expected_shape: number[];
  expected_affine: number[][];
  expected_dtype: string;
  tolerance: { max_abs: number; max_mismatch_voxels: number };
}

function loadCases(): Case[] | null {
  try {
    return JSON.parse(Deno.readTextFileSync(INDEX)).cases as Case[];
  } catch {
    console.warn(`NOTICE: ${INDEX.pathname} not found; reference conformance tests are skipped`);
    return null;
  }
}

const CONTEXT: StepContext = {
  subjectId: "ref",
  stepIndex: 0,
  copy: 0,
  seed: 0,
  warn: () => {},
};

function runStep(c: Case, volume: Volume, owned = false): { volume: Volume; item: Item } {
  const { step, ...raw } = c.params;
  const def = (step === "resample-to-size" ? resampleToSize : resampleToSpacing) as StepDefinition;
  const params = def.params.parse(raw);
  const item: Item = {
    role: c.role,
    label: c.role === "label",
    volume,
    inputDType: volume.dtype,
    inputSlope: volume.slope,
    inputInter: volume.inter,
    sourcePath: c.input,
  };
  const context = owned ? { ...CONTEXT, owns: () => true } : CONTEXT;
  const result = def.apply!({ id: "ref", copy: 0, items: [item] }, params, context);
  const out = result.subject.items[0];
  return { volume: out.volume, item: out };
}

function realValues(v: Volume): Float64Array {
  const out = new Float64Array(v.data.length);
  for (let i = 0; i < out.length; i++) out[i] = Number(v.data[i]) * v.slope + v.inter;
  return out;
}

const cases = loadCases();
for (const c of cases ?? [{ id: "(reference folder absent)" } as Case]) {
  Deno.test({
    name: `resample step matches golden case ${c.id}`,
    ignore: cases === null,
    fn() {
      const input = readNiftiSync(new URL(c.input, ROOT).pathname).volume;
      const { item } = runStep(c, input);
      const saved = encodeForSave(item, c.save_dtype).volume;
      const got = decodeNifti(`${c.id}.nii`, encodeNifti(saved)).volume;
      const want = readNiftiSync(new URL(c.expected, ROOT).pathname).volume;
      // Issue 15: built in the memory of an input nothing reads afterwards, the same bytes.
      const owned = runStep(c, readNiftiSync(new URL(c.input, ROOT).pathname).volume, true);
      assert.deepEqual(
        encodeNifti(encodeForSave(owned.item, c.save_dtype).volume),
        encodeNifti(saved),
      );

      const shape = got.frames > 1 ? [...got.shape, got.frames] : [...got.shape];
      assert.deepEqual(shape, c.expected_shape, "shape");
      assert.equal(got.dtype, c.expected_dtype, "dtype");
      for (let r = 0; r < 4; r++) {
        for (let q = 0; q < 4; q++) {
          const d = Math.abs(got.affine[r][q] - c.expected_affine[r][q]);
          assert.ok(d <= 1e-4, `affine[${r}][${q}] off by ${d}`);
        }
      }
      const a = realValues(got), b = realValues(want);
      assert.equal(a.length, b.length, "voxel count");
      const mismatches: number[] = [];
      for (let i = 0; i < a.length; i++) {
        if (!(Math.abs(a[i] - b[i]) <= c.tolerance.max_abs) && !(a[i] !== a[i] && b[i] !== b[i])) {
          mismatches.push(i);
        }
      }
      assert.ok(
        mismatches.length <= c.tolerance.max_mismatch_voxels,
        `${mismatches.length} voxels differ, at most ${c.tolerance.max_mismatch_voxels} allowed`,
      );
      const unexplained = mismatches.filter((i) => !genuineAmbiguity(c, input, i));
      assert.deepEqual(
        unexplained.slice(0, 5).map((i) => ({ voxel: i, got: a[i], expected: b[i] })),
        [],
        `${unexplained.length} mismatches are not genuine ambiguities`,
      );
    },
  });
}

/** README rule: a nearest pick within 1e-6 of a half-integer, or an integer output near .5. */
function genuineAmbiguity(c: Case, input: Volume, voxel: number): boolean {
  const p = c.params;
  const grid = p.grid ?? "center";
  const s = columnNorms(input.affine);
  const coords = [0, 1, 2].map((a) =>
    specCoordinates(
      input.shape[a],
      s[a],
      p.size ? { size: p.size[a] } : { spacing: p.spacing![a] },
      grid,
    )
  );
  const [mx, my, mz] = coords.map((x) => x.length);
  const i = voxel % mx, j = Math.floor(voxel / mx) % my, k = Math.floor(voxel / (mx * my)) % mz;
  const frame = Math.floor(voxel / (mx * my * mz));
  const x: [number, number, number] = [coords[0][i], coords[1][j], coords[2][k]];
  const interpolation = c.role === "label" ? "nearest" : c.params.interpolation ?? "linear";
  if (interpolation === "nearest") return x.some(nearHalfCoordinate);
  if (c.expected_dtype.startsWith("float")) return false;
  // Exact value: the same step on a float64 copy of the input (values within 1e-9 of exact).
  const exact = exactValues(c, input)[voxel];
  const onHalf = exact - Math.floor(exact) === 0.5;
  if (!nearHalfValue(exact) && !onHalf) return false;
  if (interpolation === "bspline") return true; // an irrational prefilter is never exactly on .5
  const [nx, ny, nz] = input.shape;
  const value = (a: number, b: number, d: number) =>
    Number(input.data[((frame * nz + d) * ny + b) * nx + a]) * input.slope + input.inter;
  return !exactTrilinearIsHalf(value, input.shape, x);
}

const EXACT = new Map<string, Float64Array>();

function exactValues(c: Case, input: Volume): Float64Array {
  let v = EXACT.get(c.id);
  if (!v) {
    const f64 = createVolume({
      shape: input.shape,
      frames: input.frames,
      data: realValues(input),
      affine: input.affine,
    });
    v = runStep(c, f64).volume.data as Float64Array;
    EXACT.set(c.id, v);
  }
  return v;
}
