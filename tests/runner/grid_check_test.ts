/**
 * Issue #11.3: every role of a subject must share one grid (SPEC §7). Each mismatching case of
 * the issue fails its subject with both grids in the message (exit 1), the others are written.
 */
import assert from "node:assert/strict";
import { z } from "zod";
import { writeNiftiSync } from "../../src/nifti/nifti_write.ts";
import { bindRecipe } from "../../src/recipe/plan.ts";
import { runBatch } from "../../src/runner/batch.ts";
import { runSubject } from "../../src/runner/run_subject.ts";
import { defineStep, type StepDefinition } from "../../src/steps/step.ts";
import type { Affine } from "../../src/volume/affine.ts";
import type { Volume } from "../../src/volume/volume.ts";
import { makeVolume, obliqueAffine } from "../_volumes.ts";
import { createMemoryIo, TEST_STEPS, testRecipe } from "./_fake.ts";

const shift = (a: Affine, d: readonly number[]): Affine =>
  a.map((row, r) => (r < 3 ? row.map((v, c) => (c === 3 ? v + d[r] : v)) : [...row]));

const iso = (mm: number): Affine => [[mm, 0, 0, 0], [0, mm, 0, 0], [0, 0, mm, 0], [0, 0, 0, 1]];

Deno.test("run fails each subject whose roles are on different grids, with both grids; others done", async () => {
  const dir = await Deno.makeTempDir({ prefix: "medprep-grid-" });
  try {
    const affine = obliqueAffine();
    const image = makeVolume({ shape: [6, 5, 4], affine });
    const label = (shape: [number, number, number], a: Affine) =>
      makeVolume({ shape, affine: a, dtype: "uint8", fn: (i) => i % 2 });
    const cases: Record<string, [Volume, Volume]> = {
      same: [image, label([6, 5, 4], affine)],
      shifted: [image, label([6, 5, 4], shift(affine, [0, 5, 0]))],
      othershape: [image, label([6, 5, 5], affine)],
      // A 20³ image with a 256×256×120 label (the label read is small: one value per voxel).
      tiny: [makeVolume({ shape: [20, 20, 20], affine: iso(1) }), label([256, 256, 120], iso(1))],
    };
    const rows = ["id,image,label"];
    for (const [id, [img, lab]] of Object.entries(cases)) {
      writeNiftiSync(`${dir}/${id}_img.nii.gz`, img, { level: 1 });
      writeNiftiSync(`${dir}/${id}_lab.nii.gz`, lab, { level: 1 });
      rows.push(`${id},${id}_img.nii.gz,${id}_lab.nii.gz`);
    }
    await Deno.writeTextFile(`${dir}/m.csv`, rows.join("\n") + "\n");
    await Deno.writeTextFile(
      `${dir}/r.yaml`,
      "version: 1\nname: g\nsteps:\n  - step: load\n    labels: [label]\n  - step: clip\n    min: 0\n    max: 50\n  - step: save\n",
    );
    const code = await runBatch({
      recipe: `${dir}/r.yaml`,
      manifest: `${dir}/m.csv`,
      out: `${dir}/out`,
      workers: 2,
      quiet: true,
      command: ["test"],
    });
    assert.equal(code, 1);
    const prov = JSON.parse(await Deno.readTextFile(`${dir}/out/provenance.json`));
    const byId = new Map<string, { status: string; error?: { step: number; message: string } }>(
      prov.subjects.map((s: { id: string }) => [s.id, s]),
    );
    assert.equal(byId.get("same")?.status, "done");
    for (const id of ["shifted", "othershape", "tiny"]) {
      const s = byId.get(id)!;
      assert.equal(s.status, "failed", id);
      assert.equal(s.error?.step, 0, id);
      assert.match(
        s.error!.message,
        new RegExp(`^Cannot use subject "${id}": roles "image" and "label" are not on one grid`),
      );
    }
    const msg = (id: string) => byId.get(id)!.error!.message;
    assert.match(msg("shifted"), /\(corners 5 mm apart \(more than 0\.001 mm\)\)/);
    assert.match(
      msg("shifted"),
      /image 6x5x4 @ 0\.9x1\.1x2\.5 mm, voxel \(0,0,0\) at \(-10\.5, 20\.25, -4\) mm/,
    );
    assert.match(
      msg("shifted"),
      /label 6x5x4 @ 0\.9x1\.1x2\.5 mm, voxel \(0,0,0\) at \(-10\.5, 25\.25, -4\) mm/,
    );
    assert.match(msg("othershape"), /shapes differ \(6x5x4 vs 6x5x5\)/);
    assert.match(msg("tiny"), /image 20x20x20 @ 1x1x1 mm.*; label 256x256x120 @ 1x1x1 mm/);
    const outputs = [...Deno.readDirSync(`${dir}/out`)].map((e) => e.name).filter((n) =>
      n.endsWith(".nii.gz")
    ).sort();
    assert.deepEqual(outputs, ["same_image.nii.gz", "same_label.nii.gz"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("runSubject leaves the grid check to a recipe step declaring alignsRoles", () => {
  const files = new Map<string, Volume>([
    ["/in/img.nii", makeVolume({ dtype: "float32" })],
    ["/in/lab.nii", makeVolume({ dtype: "uint8", affine: shift(obliqueAffine(), [5, 0, 0]) })],
  ]);
  const job = { id: "a", row: 2, paths: { image: "/in/img.nii", label: "/in/lab.nii" } };
  const align = defineStep({
    name: "align",
    kind: "spatial",
    summary: "test: puts the label onto the image grid",
    params: z.object({}).strict(),
    example: "- step: align",
    alignsRoles: true,
    apply(subject) {
      const [img] = subject.items;
      return {
        subject: {
          ...subject,
          items: subject.items.map((it) => ({
            ...it,
            volume: { ...it.volume, affine: img.volume.affine },
          })),
        },
      };
    },
  });
  const registry = [...TEST_STEPS, align] as unknown as StepDefinition[];
  const init = { outDir: "/out", maxInputBytes: 1e9 };
  const recipe = (steps: { step: string }[]) => ({
    ...testRecipe([{ step: "load", labels: ["label"] }, { step: "save" }]),
    steps: [
      { step: "load", params: { labels: ["label"] } },
      ...steps.map((s) => ({ step: s.step, params: {} })),
      { step: "save", params: { name: "{id}_{role}.nii", dtype: "auto", compression: 6 } },
    ],
  });
  const plain = runSubject(job, { ...init, recipe: recipe([]) }, {
    io: createMemoryIo(new Map(files)),
    plan: bindRecipe(recipe([]), { registry }),
  });
  assert.equal(plain.status, "failed");
  assert.match(plain.error!.message, /not on one grid \(corners 5 mm apart/);
  const aligned = runSubject(job, { ...init, recipe: recipe([{ step: "align" }]) }, {
    io: createMemoryIo(new Map(files)),
    plan: bindRecipe(recipe([{ step: "align" }]), { registry }),
  });
  assert.equal(aligned.status, "done", JSON.stringify(aligned.error));
  assert.equal(aligned.outputs.length, 2);
});
