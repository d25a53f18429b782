/**
 * Issue 15, peak memory: a linear resampling followed by a step that reads deferred values
 * (normalize zscore / minmax / window) does not hold its float64 result; the normalize step
 * computes it again on each pass. Proven here bit for bit against the held path
 * (`bindRecipe(…, { defer: false })`): same saved bytes, same provenance records and warnings,
 * and the normalize step did receive deferred items.
 */
import assert from "node:assert/strict";
import { bindRecipe } from "../../src/recipe/plan.ts";
import { validateRecipePlan } from "../../src/recipe/validate.ts";
import { runSubject } from "../../src/runner/run_subject.ts";
import { WORKER_IO } from "../../src/runner/worker_io.ts";
import { writeNiftiSync } from "../../src/nifti/nifti_write.ts";
import { STEPS } from "../../src/steps/registry.ts";
import type { StepDefinition } from "../../src/steps/step.ts";
import type { DType } from "../../src/volume/dtype.ts";
import { makeVolume } from "../_volumes.ts";

interface Image {
  dtype: DType;
  frames?: number;
  slope?: number;
  inter?: number;
}

/** Values with zeros (mask: nonzero), NaN for float inputs, a ramp and a few outliers. */
function writeImages(dir: string, c: Image): void {
  const float = c.dtype.startsWith("float");
  writeNiftiSync(
    `${dir}/img.nii`,
    makeVolume({
      shape: [19, 17, 13],
      frames: c.frames,
      dtype: c.dtype,
      slope: c.slope,
      inter: c.inter,
      fn: (i, j, k, t = 0) =>
        (i * 7 + j * 3 + k) % 11 === 0
          ? 0
          : float && (i + j + k) % 29 === 0
          ? NaN
          : (i * j + k * 5 + t * 9) % 13 === 0
          ? 120
          : 30 + ((i * 3 + j * 5 + k * 7 + t) % 23) + (float ? i * 0.37 : 0),
    }),
  );
  // A brain mask on the image's grid (label role, resampled with nearest: held).
  writeNiftiSync(
    `${dir}/mask.nii`,
    makeVolume({ shape: [19, 17, 13], dtype: "uint8", fn: (i, j) => (i > 3 && j < 14 ? 1 : 0) }),
  );
}

/** The registry with normalize reporting, per call, which items reached it deferred. */
function spyRegistry(seen: boolean[][]): StepDefinition[] {
  return STEPS.map((d) =>
    d.name !== "normalize" ? d : {
      ...d,
      apply(subject, params, ctx) {
        seen.push(subject.items.map((it) => it.deferred !== undefined));
        return d.apply!(subject, params as never, ctx);
      },
    } as StepDefinition
  );
}

function run(dir: string, steps: string, defer: boolean, roles: string) {
  const { recipe } = validateRecipePlan(
    `version: 1\nname: d\nsteps:\n${steps}`,
    "recipe.yaml",
  );
  const seen: boolean[][] = [];
  const plan = bindRecipe(recipe, { defer, registry: spyRegistry(seen) });
  const out = `${dir}/${defer ? "deferred" : "held"}`;
  Deno.mkdirSync(out, { recursive: true });
  const paths: Record<string, string> = { image: `${dir}/img.nii` };
  if (roles.includes("mask")) paths.mask = `${dir}/mask.nii`;
  const rec = runSubject(
    { id: "s1", row: 2, paths },
    { recipe, outDir: out, maxInputBytes: 1e9 },
    { io: WORKER_IO, plan },
  );
  assert.equal(rec.status, "done", JSON.stringify(rec.error));
  const bytes = rec.outputs.map((o) => Deno.readFileSync(`${out}/${o.path}`));
  const records = rec.steps.map(({ ms: _ms, ...s }) => s);
  Deno.removeSync(out, { recursive: true });
  return { plan, seen, bytes, outputs: rec.outputs, steps: records, warnings: rec.warnings };
}

/** Equal files, or a short message at the first difference (a diff of whole files is huge). */
function assertSameBytes(a: Uint8Array[], b: Uint8Array[], where: string): void {
  assert.equal(a.length, b.length, where);
  a.forEach((x, f) => {
    const y = b[f];
    const at = x.findIndex((v, i) => v !== y[i]);
    assert.ok(x.length === y.length && at < 0, `${where}: file ${f} differs at byte ${at}`);
  });
}

const IMAGES: Image[] = [
  { dtype: "int16" },
  { dtype: "int16", slope: 0.5, inter: -1024 },
  { dtype: "uint8", frames: 2 },
  { dtype: "float32" },
];

const NORMALIZE = [
  "method: zscore",
  "method: zscore\n    mask: nonzero",
  "method: zscore\n    mask: nonzero\n    outside: normalize",
  "method: zscore\n    mask: mask",
  "method: zscore\n    mask: mask\n    outside: keep",
  "method: minmax\n    range: [-1, 1]",
  "method: minmax\n    mask: mask",
  "method: window\n    from: [40, 60]\n    to: [0, 255]",
];

for (const img of IMAGES) {
  const what = `${img.dtype}${img.frames ? ` ${img.frames} frames` : ""}${
    img.slope === undefined ? "" : ` slope ${img.slope} inter ${img.inter}`
  }`;
  Deno.test(`deferred values: ${what}: resample → normalize equals the held path`, () => {
    const dir = Deno.makeTempDirSync({ prefix: "medprep-deferred-" });
    try {
      writeImages(dir, img);
      let deferred = 0;
      for (const norm of NORMALIZE) {
        const roles = norm.includes("mask: mask") ? "image,mask" : "image";
        const load = roles === "image"
          ? "  - step: load\n"
          : "  - step: load\n    roles: [image, mask]\n    labels: [mask]\n";
        for (
          const [resample, defers] of [
            // Linear, float64 results larger than the input: deferred (up in-plane, down in z;
            // up everywhere).
            ["resample-to-size\n    size: [23, 29, 9]\n    grid: corners\n    fill: -5", true],
            ["resample-to-spacing\n    spacing: [0.6, 0.9, 0.7]\n    grid: center", true],
            // Down, the result fits in the consumed input's bytes: held (costs nothing).
            ["resample-to-size\n    size: [7, 6, 5]\n    grid: center", false],
            // B-spline (its z pass needs the whole stack) and nearest: held.
            ["resample-to-size\n    size: [23, 29, 9]\n    interpolation: bspline", false],
            ["resample-to-size\n    size: [23, 29, 9]\n    interpolation: nearest", false],
          ] as const
        ) {
          for (const dtype of ["float32", "float64", "auto"]) {
            const steps = `${load}  - step: ${resample}\n  - step: normalize\n    ${norm}\n` +
              `  - step: save\n    name: "{id}_{role}.nii"\n    dtype: ${dtype}\n`;
            const a = run(dir, steps, true, roles), b = run(dir, steps, false, roles);
            const where = `${norm} | ${resample} | ${dtype}`;
            assert.equal(a.plan.steps[1].defer, true, where);
            assert.equal(b.plan.steps[1].defer, false, where);
            assertSameBytes(a.bytes, b.bytes, where);
            assert.deepEqual(a.outputs, b.outputs, where);
            assert.deepEqual(a.steps, b.steps, where);
            assert.deepEqual(a.warnings, b.warnings, where);
            assert.ok(b.seen.flat().every((d) => !d), where);
            // The image reached normalize deferred as expected; the mask (a label) never.
            assert.deepEqual(a.seen, [roles === "image" ? [defers] : [defers, false]], where);
            if (defers) deferred++;
          }
        }
      }
      assert.equal(deferred, NORMALIZE.length * 2 * 3);
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  });
}

Deno.test("deferred values: only before a step that reads them, never the sink or percentiles", () => {
  const plan = (steps: string) =>
    validateRecipePlan(`version: 1\nname: d\nsteps:\n${steps}`, "recipe.yaml").plan;
  const resample = "  - step: resample-to-size\n    size: [13, 11, 9]\n";
  const defers = (between: string) =>
    plan(`  - step: load\n${resample}${between}  - step: save\n`).steps.map((s) => s.defer);
  assert.deepEqual(defers("  - step: normalize\n    method: zscore\n"), [
    false,
    true,
    false,
    false,
  ]);
  for (
    const between of [
      "",
      "  - step: clip\n    min: 0\n    max: 50\n",
      "  - step: normalize\n    method: zscore\n    clipPercentiles: [1, 99]\n",
      "  - step: normalize\n    method: histogram\n",
    ]
  ) {
    assert.ok(defers(between).every((d) => !d), between);
  }
});
