/**
 * The sink contract (issue 9 item 2): a new sink is one definition — its params, output names
 * and writes — and nothing in the runner or the planner knows its name or reads its params.
 * Proven with a throw-away `.f32` raw writer registered only in this test.
 */
import { stagedPathOf } from "../../../src/runner/staging.ts";
import { deepEqual, equal, ok } from "node:assert/strict";
import { createHash } from "node:crypto";
import { z } from "zod";
import { planOutputs } from "../../../src/recipe/output_names.ts";
import { bindRecipe } from "../../../src/recipe/plan.ts";
import { runSubject } from "../../../src/runner/run_subject.ts";
import { STEPS } from "../../../src/steps/registry.ts";
import { defineStep, type SinkOutput } from "../../../src/steps/step.ts";
import type { Volume } from "../../../src/volume/volume.ts";
import { makeVolume } from "../../_volumes.ts";
import { createMemoryIo } from "../../runner/_fake.ts";

/** Writes each role's values as little-endian float32 bytes, `{id}/{role}-{copy}.f32`. */
const saveRaw = defineStep({
  name: "save-raw",
  kind: "sink",
  summary: "test: raw float32 values",
  params: z.object({
    folder: z.string().default("raw").describe("Folder under the output directory"),
    failAfter: z.number().int().optional().describe("Throw after writing this many files"),
  }).strict().prefault({}),
  example: "- step: save-raw",
  outputName: ({ folder }, v) => `${folder}/${v.id}/${v.role}-${v.copy}.f32`,
  write(subject, params, io) {
    return subject.items.map((item, n): SinkOutput => {
      if (params.failAfter === n) throw new Error("disk full (test)");
      const values = Float32Array.from(item.volume.data as ArrayLike<number>, Number);
      const path = saveRaw.outputName(params, {
        ...item,
        id: subject.id,
        stem: "",
        copy: subject.copy,
      });
      io.writeBytes(path, new Uint8Array(values.buffer));
      return {
        role: item.role,
        copy: subject.copy,
        path,
        dtype: "float32",
        dtypeReason: "raw",
        clamped: 0,
      };
    });
  },
});

const REGISTRY = [...STEPS, saveRaw];

function recipe(sink: Record<string, unknown>) {
  return {
    version: 1,
    name: "raw",
    seed: 3,
    steps: [
      { step: "load", params: STEPS[0].params.parse({}) as Record<string, unknown> },
      { step: "save-raw", params: saveRaw.params.parse(sink) as Record<string, unknown> },
    ],
  };
}

const job = { id: "s1", row: 2, paths: { image: "/in/s1.nii.gz", label: "/in/s1_seg.nii.gz" } };

function files(): Map<string, Volume> {
  return new Map([
    ["/in/s1.nii.gz", makeVolume({ shape: [5, 6, 7], dtype: "int16", fn: (i, j, k) => i - j + k })],
    ["/in/s1_seg.nii.gz", makeVolume({ shape: [5, 6, 7], dtype: "uint8", fn: (i) => i % 2 })],
  ]);
}

Deno.test("a sink registered in a test only plans its names and writes a subject through SinkIo", () => {
  const plan = bindRecipe(recipe({}), { registry: REGISTRY });
  equal(plan.sink.definition, saveRaw);
  const planned = planOutputs(plan, [job]);
  deepEqual(planned.issues, []);
  deepEqual(planned.outputs.map((o) => o.path), ["raw/s1/image-0.f32", "raw/s1/label-0.f32"]);

  const volumes = files();
  const io = createMemoryIo(volumes);
  const init = {
    recipe: plan.recipe,
    outDir: "/out",
    stagingDir: "/out/.stage",
    maxInputBytes: 1e9,
  };
  const rec = runSubject(job, init, { io, plan });
  equal(rec.status, "done", rec.error?.message ?? "");
  deepEqual(rec.outputs.map((o) => o.path), planned.outputs.map((o) => o.path));
  const staged = (rel: string) => stagedPathOf("/out/.stage", rel);
  const bytes = io.blobs.get(staged("raw/s1/image-0.f32"))!;
  const values = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  deepEqual(Array.from(values.slice(0, 3)), [0, 1, 2]); // i − j + k at (0,0,0), (1,0,0), (2,0,0)
  equal(values.length, 5 * 6 * 7);
  equal(rec.outputs[0].sha256, createHash("sha256").update(bytes).digest("hex"));
  deepEqual(rec.inputs.map((i) => [i.role, i.label]), [["image", false], ["label", true]]);
  // Written into the staging directory only; the main thread publishes them (staging.ts).
  deepEqual(io.written, []);
  deepEqual(
    [...io.blobs.keys()].filter((k) => k.startsWith("/out/")).sort(),
    [
      staged("raw/s1/image-0.f32"),
      staged("raw/s1/label-0.f32"),
    ].sort(),
  );
});

Deno.test("a sink that fails after writing some files leaves none of them", () => {
  const plan = bindRecipe(recipe({ failAfter: 1 }), { registry: REGISTRY });
  const io = createMemoryIo(files());
  const rec = runSubject(job, { recipe: plan.recipe, outDir: "/out", maxInputBytes: 1e9 }, {
    io,
    plan,
  });
  equal(rec.status, "failed");
  deepEqual(rec.error, { step: 1, name: "save-raw", message: "disk full (test)" });
  deepEqual([...io.blobs.keys()], []);
  ok(rec.outputs.length === 0);
});
