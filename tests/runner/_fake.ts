/** Test helpers: an in-memory SubjectIo and a tiny registry of test steps. */
import { createHash } from "node:crypto";
import { z } from "zod";
import { defineStep, mapImages, type StepDefinition } from "../../src/steps/step.ts";
import { load } from "../../src/steps/io/load.ts";
import { save } from "../../src/steps/io/save.ts";
import { createRng } from "../../src/random/rng.ts";
import type { SubjectIo } from "../../src/runner/run_subject.ts";
import type { Volume } from "../../src/volume/volume.ts";
import type { ResolvedRecipe } from "../../src/provenance/types.ts";
import { bindRecipe, type Plan } from "../../src/recipe/plan.ts";

/** Adds `amount` to image voxels (an intensity step). */
export const addStep = defineStep({
  name: "add",
  kind: "intensity",
  summary: "test: add a constant",
  params: z.object({ amount: z.number(), failOn: z.string().optional() }).strict(),
  example: "- step: add\n  amount: 1",
  apply(subject, { amount, failOn }) {
    if (failOn === subject.id) throw new Error(`add refuses subject ${subject.id}`);
    return {
      subject: mapImages(subject, (it) => {
        const data = Float32Array.from(it.volume.data as Float32Array, (v) => Number(v) + amount);
        return { ...it, volume: { ...it.volume, data, dtype: "float32" } };
      }),
      record: { amount },
    };
  },
});

/** Draws one offset per copy from the step seed (an augment step with copies). */
export const jitterStep = defineStep({
  name: "jitter",
  kind: "augment",
  summary: "test: random offset",
  params: z.object({ copies: z.number().int().min(1) }).strict(),
  example: "- step: jitter\n  copies: 2",
  copies: (p) => p.copies,
  apply(subject, _p, ctx) {
    const offset = (ctx.replay?.offset as number | undefined) ?? createRng(ctx.seed).int(0, 1000);
    return {
      subject: mapImages(subject, (it) => {
        const data = Float32Array.from(it.volume.data as Float32Array, (v) => Number(v) + offset);
        return { ...it, volume: { ...it.volume, data, dtype: "float32" } };
      }),
      record: { offset },
    };
  },
});

/** The test registry: real load/save plus the test steps. */
export const TEST_STEPS = [load, save, addStep, jitterStep] as unknown as StepDefinition[];

/** Parses params through the step schemas, as the recipe validator does. */
export function testRecipe(
  steps: { step: string; [k: string]: unknown }[],
  seed = 7,
): ResolvedRecipe {
  return {
    version: 1,
    name: "test",
    seed,
    steps: steps.map(({ step, ...params }) => ({
      step,
      params: TEST_STEPS.find((d) => d.name === step)!.params.parse(params) as Record<
        string,
        unknown
      >,
    })),
  };
}

/** The test recipe bound to the test registry. */
export function testPlan(steps: { step: string; [k: string]: unknown }[], seed = 7): Plan {
  return bindRecipe(testRecipe(steps, seed), { registry: TEST_STEPS });
}

/** An in-memory file system for SubjectIo (volumes in `files`, raw bytes in `blobs`). */
export function createMemoryIo(
  files: Map<string, Volume>,
  blobs = new Map<string, Uint8Array>(),
): SubjectIo & { written: string[]; blobs: Map<string, Uint8Array> } {
  const written: string[] = [];
  const bytes = (v: Volume) =>
    createHash("sha256").update(
      JSON.stringify([v.shape, v.dtype, Array.from(v.data as Float32Array)]),
    )
      .digest("hex");
  return {
    written,
    blobs,
    read(path) {
      const v = files.get(path);
      if (!v) throw new Error(`Cannot read "${path}": file not found`);
      return { volume: v, files: [{ path, sha256: bytes(v), size: v.data.length, mode: 0o644 }] };
    },
    write(path, volume) {
      files.set(path, volume);
      return { sha256: bytes(volume), size: volume.data.length };
    },
    writeBytes(path, data) {
      blobs.set(path, data);
    },
    encode: (item) => ({
      volume: item.volume,
      dtype: item.volume.dtype,
      reason: "test",
      clamped: 0,
    }),
    rename(from, to) {
      const v = files.get(from), b = blobs.get(from);
      if (!v && !b) throw new Error(`Cannot rename "${from}": file not found`);
      if (v) files.set(to, v);
      if (b) blobs.set(to, b);
      files.delete(from);
      blobs.delete(from);
      written.push(to);
    },
    remove: (path) => {
      files.delete(path);
      blobs.delete(path);
    },
    mkdir: () => {},
  };
}
