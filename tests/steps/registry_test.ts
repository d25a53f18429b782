/**
 * Registry contract (one loop over STEPS): every step's example validates, every param is
 * described, params are strict, name ↔ file ↔ export agree, and — for steps with `apply` —
 * the input is not mutated, the same seed gives the same bytes, spatial steps keep the roles on
 * one consistent grid and intensity steps keep the geometry exactly.
 */
import { deepEqual, equal, notEqual, ok } from "node:assert/strict";
import { parse } from "yaml";
import { deriveParamsJsonSchema, type JsonSchema } from "../../src/cli/step_help.ts";
import { validateRecipe } from "../../src/recipe/validate.ts";
import { findStep, STEPS } from "../../src/steps/registry.ts";
import type { StepDefinition, StepResult, Subject } from "../../src/steps/step.ts";
import { isIntegerDType } from "../../src/volume/dtype.ts";
import type { Volume } from "../../src/volume/volume.ts";
import { makeContext, makeSubject, makeVolume, obliqueAffine } from "../_volumes.ts";

const STEPS_DIR = new URL("../../src/steps/", import.meta.url);

function stepFiles(dir: URL, out: URL[] = []): URL[] {
  for (const e of Deno.readDirSync(dir)) {
    if (e.isDirectory) stepFiles(new URL(`${e.name}/`, dir), out);
    else if (e.name.endsWith(".ts")) out.push(new URL(e.name, dir));
  }
  return out;
}

/** The example as a whole recipe: a source first and a sink last around it. */
function exampleRecipe(step: StepDefinition): string {
  const body = step.example.split("\n").map((l) => `  ${l}`).join("\n");
  const head = step.kind === "source" ? "" : "  - step: load\n";
  const tail = step.kind === "sink"
    ? ""
    : '\n  - step: save\n    name: "{id}_{role}_{copy}.nii.gz"';
  return `version: 1\nsteps:\n${head}${body}${tail}\n`;
}

function exampleParams(step: StepDefinition): Record<string, unknown> {
  const [entry] = parse(step.example) as Record<string, unknown>[];
  const { step: _, ...params } = entry;
  return params;
}

function parsedParams(step: StepDefinition): Record<string, unknown> {
  return step.params.parse(exampleParams(step)) as Record<string, unknown>;
}

/**
 * A 5×6×7 int16 image, a uint8 label and two more image roles (`t2` float32, `flair` int16: the
 * roles stack's example combines) on an oblique anisotropic grid.
 */
function testSubject(): Subject {
  const image = makeVolume({ shape: [5, 6, 7], dtype: "int16", affine: obliqueAffine() });
  const label = makeVolume({ shape: [5, 6, 7], dtype: "uint8", fn: (i, j, k) => (i + j + k) % 3 });
  const t2 = makeVolume({ shape: [5, 6, 7], dtype: "float32", fn: (i, j, k) => i * j - k / 4 });
  const flair = makeVolume({ shape: [5, 6, 7], dtype: "int16", fn: (i, j, k) => 3 * i + j * k });
  return makeSubject({ image, label, t2, flair });
}

const testContext = () => makeContext({ seed: 20240607 });

function bytesOf(v: Volume): Uint8Array {
  return new Uint8Array(v.data.buffer, v.data.byteOffset, v.data.byteLength).slice();
}

/** Runs apply once; false while the step still throws "not implemented". */
function isImplemented(step: StepDefinition): boolean {
  if (!step.apply) return false;
  try {
    step.apply(testSubject(), parsedParams(step), testContext());
    return true;
  } catch (e) {
    if (e instanceof Error && /not implemented/i.test(e.message)) return false;
    return true; // a real failure: let the test show it
  }
}

function applyStep(step: StepDefinition, subject: Subject): StepResult {
  return step.apply!(subject, parsedParams(step), testContext());
}

const files = stepFiles(STEPS_DIR);

for (const step of STEPS) {
  Deno.test(`${step.name}: example validates inside a recipe`, () => {
    const recipe = validateRecipe(exampleRecipe(step), `${step.name}.example.yaml`);
    ok(recipe.steps.some((s) => s.step === step.name));
    equal(findStep(step.name), step);
  });

  Deno.test(`${step.name}: every param has a description, and a summary`, () => {
    ok(step.summary.length > 0);
    const schema = deriveParamsJsonSchema(step);
    const variants: JsonSchema[] = schema.oneOf ?? schema.anyOf ?? [schema];
    for (const v of variants) {
      const props = Object.entries((v.properties ?? {}) as Record<string, JsonSchema>);
      ok(props.length > 0 || step.kind === "sink", `${step.name} has no params`);
      for (const [name, p] of props) {
        ok(typeof p.description === "string" && p.description.length > 0, `${step.name}.${name}`);
      }
    }
  });

  Deno.test(`${step.name}: params are strict (an unknown key is an error)`, () => {
    const result = step.params.safeParse({ ...exampleParams(step), notAParam: 1 });
    equal(result.success, false);
    ok(result.error!.issues.some((i) => i.code === "unrecognized_keys"), result.error!.message);
  });

  Deno.test(`${step.name}: name ↔ file ↔ export agree`, async () => {
    ok(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(step.name), `kebab-case name ${step.name}`);
    const file = `${step.name.replaceAll("-", "_")}.ts`;
    const matches = files.filter((u) => u.pathname.endsWith(`/${file}`));
    equal(matches.length, 1, `exactly one src/steps/**/${file}`);
    const exportName = step.name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
    const mod = await import(matches[0].href);
    equal(mod[exportName], step, `${file} exports ${exportName}`);
  });

  if (!step.apply) continue; // source and sink: tests/steps/io (read/write contracts)
  const implemented = isImplemented(step);
  if (!implemented) {
    console.warn(`registry_test: ${step.name}.apply is not implemented yet; apply checks skipped`);
  }
  const applyTest = (name: string, fn: () => void) =>
    Deno.test({ name: `${step.name}: ${name}`, ignore: !implemented, fn });

  applyTest("apply does not mutate its input", () => {
    const subject = testSubject();
    const before = subject.items.map((it) => ({
      bytes: bytesOf(it.volume),
      affine: structuredClone(it.volume.affine),
      shape: [...it.volume.shape],
    }));
    applyStep(step, subject);
    subject.items.forEach((it, i) => {
      deepEqual(bytesOf(it.volume), before[i].bytes, `${it.role} data changed`);
      deepEqual(it.volume.affine, before[i].affine, `${it.role} affine changed`);
      deepEqual([...it.volume.shape], before[i].shape, `${it.role} shape changed`);
    });
  });

  applyTest("apply gives the same bytes and record for the same seed", () => {
    const a = applyStep(step, testSubject());
    const b = applyStep(step, testSubject());
    equal(a.subject.items.length, b.subject.items.length);
    a.subject.items.forEach((it, i) => {
      const other = b.subject.items[i];
      equal(it.role, other.role);
      equal(it.volume.dtype, other.volume.dtype);
      deepEqual(bytesOf(it.volume), bytesOf(other.volume), `${it.role} bytes differ`);
      deepEqual(it.volume.affine, other.volume.affine);
    });
    deepEqual(a.record, b.record);
  });

  if (step.kind === "spatial" || step.kind === "augment") {
    applyTest("apply keeps every role on one consistent grid (labels integer)", () => {
      const input = testSubject();
      const out = applyStep(step, input).subject;
      const [first] = out.items;
      for (const it of out.items) {
        const v = it.volume;
        equal(v.data.length, v.shape[0] * v.shape[1] * v.shape[2] * v.frames, it.role);
        deepEqual([...v.shape], [...first.volume.shape], `${it.role} shape`);
        v.affine.forEach((row, r) =>
          row.forEach((x, c) => ok(Math.abs(x - first.volume.affine[r][c]) < 1e-9, `${it.role}`))
        );
        deepEqual(v.affine[3], [0, 0, 0, 1]);
        if (it.label) ok(isIntegerDType(v.dtype), `label dtype ${v.dtype}`);
      }
      const label = out.items.find((it) => it.label)!.volume;
      for (const x of label.data) ok([0, 1, 2].includes(Number(x)), `label value ${x}`);
      if (step.plan) {
        const src = input.items[0].volume;
        const planned = step.plan(
          { shape: src.shape, affine: src.affine },
          parsedParams(step),
        );
        deepEqual([...planned.shape], [...first.volume.shape], "plan() shape = apply shape");
        planned.affine.forEach((row, r) =>
          row.forEach((x, c) => ok(Math.abs(x - first.volume.affine[r][c]) < 1e-9, "plan affine"))
        );
      }
    });
  }

  if (step.kind === "intensity" || step.kind === "label") {
    // intensity steps change images only, label steps label maps only (kept integer).
    const labelStep = step.kind === "label";
    const name = labelStep
      ? "apply keeps geometry exactly, label types integer, and passes images through"
      : "apply keeps geometry exactly and passes labels through";
    applyTest(name, () => {
      const input = testSubject();
      const out = applyStep(step, input).subject;
      equal(out.items.length, input.items.length);
      out.items.forEach((it, i) => {
        const src = input.items[i].volume;
        deepEqual([...it.volume.shape], [...src.shape]);
        equal(it.volume.frames, src.frames);
        deepEqual(it.volume.affine, src.affine);
        if (it.label !== labelStep) {
          deepEqual(bytesOf(it.volume), bytesOf(src), `${it.role} changed`);
        }
        if (it.label) ok(isIntegerDType(it.volume.dtype), `label dtype ${it.volume.dtype}`);
      });
      const touched = out.items.findIndex((it) => it.label === labelStep);
      notEqual(out.items[touched].volume, input.items[touched].volume, "must be a new volume");
    });
  }
}
