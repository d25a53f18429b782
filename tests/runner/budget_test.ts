/**
 * Issue #10.6, a bounded working set: each case of the issue as a regression test. Nothing
 * here allocates more than a few MB: big cases are estimated (tests/steps/memory_test.ts), and
 * the runs use small volumes with a small MEDPREP_MAX_BYTES budget.
 */
import assert from "node:assert/strict";
import { RecipeError } from "../../src/errors.ts";
import { writeNiftiSync } from "../../src/nifti/nifti_write.ts";
import { validateRecipe } from "../../src/recipe/validate.ts";
import { capWorkers, deriveBudget } from "../../src/runner/budget.ts";
import { runBatch } from "../../src/runner/batch.ts";
import type { Affine } from "../../src/volume/affine.ts";
import { createVolume } from "../../src/volume/volume.ts";
import { makeVolume } from "../_volumes.ts";

const MB = 1e6;
const GB = 1e9;

const scaled = (mm: number): Affine => [
  [mm, 0, 0, 3],
  [0, mm, 0, -2],
  [0, 0, mm, 1],
  [0, 0, 0, 1],
];

const recipe = (middle: string) =>
  `version: 1\nname: t\nsteps:\n  - step: load\n${middle}  - step: save\n    name: "{id}_{role}_{copy}.nii.gz"\n`;

Deno.test("capWorkers caps --workers by cores and by memory, with a one-line note", () => {
  const big = { cores: 2, totalMemory: 24 * GB, subjects: 50 };
  const capped = capWorkers(1000, big);
  assert.equal(capped.workers, 2);
  assert.equal(
    capped.note,
    "medprep: --workers 1000 capped to 2 (2 cores); more workers than that only add memory",
  );
  assert.deepEqual(capWorkers(2, big), { workers: 2 });
  assert.deepEqual(capWorkers(undefined, big), { workers: 2 });
  assert.deepEqual(capWorkers(2, { cores: 8, totalMemory: 24 * GB, subjects: 1 }), { workers: 1 });
  const small = capWorkers(16, { cores: 64, totalMemory: 2 * GB, subjects: 50 });
  assert.equal(small.workers, 2); // 1 GB share / (256 + 64) MiB = 2.98
  assert.match(small.note!, /--workers 16 capped to 2 \(2\.0 GB RAM\)/);
  assert.equal(capWorkers(4, { cores: 8, subjects: 10 }).workers, 4); // RAM unknown: cores only
});

Deno.test("deriveBudget shares half the RAM among workers unless MEDPREP_MAX_BYTES is set", () => {
  assert.deepEqual(deriveBudget(4, { totalMemory: 16 * GB }), {
    bytes: 2 * GB,
    source: "50% of 16 GB RAM / 4 workers",
  });
  assert.deepEqual(deriveBudget(4, { totalMemory: 16 * GB, maxBytes: 123 * MB }), {
    bytes: 123 * MB,
    source: "MEDPREP_MAX_BYTES",
  });
  assert.equal(deriveBudget(1, {}).bytes, Number.MAX_SAFE_INTEGER);
});

// --- whole runs -----------------------------------------------------------------------------

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "medprep-budget-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const envWith = (bytes: number) => (name: string) =>
  name === "MEDPREP_MAX_BYTES" ? String(bytes) : undefined;

const exists = (path: string) => Deno.stat(path).then(() => true, () => false);

interface Record_ {
  id: string;
  status: string;
  error?: { step: number; name: string; message: string };
}

async function subjects(out: string): Promise<Map<string, Record_>> {
  const prov = JSON.parse(await Deno.readTextFile(`${out}/provenance.json`));
  return new Map((prov.subjects as Record_[]).map((s) => [s.id, s]));
}

Deno.test("run refuses a subject whose upsampling exceeds the budget before reading it; others go on", async () => {
  await withDir(async (dir) => {
    // Scaled down from the issue (640 mm → 1 mm): 2×2×2 voxels of 64 mm → 128³ at 1 mm.
    writeNiftiSync(
      `${dir}/huge.nii.gz`,
      createVolume({ shape: [2, 2, 2], data: new Uint8Array(8).fill(9), affine: scaled(64) }),
    );
    writeNiftiSync(`${dir}/ok.nii.gz`, makeVolume({ shape: [6, 5, 4], affine: scaled(2) }));
    await Deno.writeTextFile(`${dir}/m.csv`, "id,image\nhuge,huge.nii.gz\nok,ok.nii.gz\n");
    await Deno.writeTextFile(
      `${dir}/r.yaml`,
      recipe("  - step: resample-to-spacing\n    spacing: [1, 1, 1]\n"),
    );
    const code = await runBatch({
      recipe: `${dir}/r.yaml`,
      manifest: `${dir}/m.csv`,
      out: `${dir}/out`,
      workers: 1,
      quiet: true,
      command: ["test"],
      env: envWith(12 * MB), // the old guard let the 8-voxel input through
    });
    assert.equal(code, 1);
    const s = await subjects(`${dir}/out`);
    assert.equal(s.get("ok")?.status, "done");
    assert.equal(s.get("huge")?.status, "failed");
    assert.equal(s.get("huge")?.error?.step, 1);
    assert.equal(s.get("huge")?.error?.name, "resample-to-spacing");
    assert.match(
      s.get("huge")!.error!.message,
      /steps\[1\] \(resample-to-spacing\) within the memory budget: it needs about \d+ MB \(image 2x2x2 uint8 → 128x128x128 float32\), over the 12 MB per worker \(MEDPREP_MAX_BYTES\)/,
    );
    assert.equal(await exists(`${dir}/out/huge_image_0.nii.gz`), false);
    assert.equal(await exists(`${dir}/out/ok_image_0.nii.gz`), true);
  });
});

Deno.test("run counts B-spline scratch: over the budget where linear fits", async () => {
  await withDir(async (dir) => {
    // 2 MiB int16: far under the budget as an input (the old guard's only check).
    writeNiftiSync(
      `${dir}/ct.nii.gz`,
      makeVolume({ shape: [128, 128, 64], affine: scaled(1), fn: (i, j, k) => (i * j + k) % 900 }),
      { level: 1 },
    );
    await Deno.writeTextFile(`${dir}/m.csv`, "id,image\nct,ct.nii.gz\n");
    const run = async (interpolation: string) => {
      await Deno.writeTextFile(
        `${dir}/${interpolation}.yaml`,
        recipe(
          `  - step: resample-to-spacing\n    spacing: [1, 1, 1]\n    interpolation: ${interpolation}\n`,
        ),
      );
      const out = `${dir}/out-${interpolation}`;
      const code = await runBatch({
        recipe: `${dir}/${interpolation}.yaml`,
        manifest: `${dir}/m.csv`,
        out,
        workers: 1,
        quiet: true,
        command: ["test"],
        env: envWith(16 * MB),
      });
      return { code, record: (await subjects(out)).get("ct")! };
    };
    const bspline = await run("bspline");
    assert.equal(bspline.code, 1);
    assert.equal(bspline.record.error?.name, "resample-to-spacing");
    assert.match(bspline.record.error!.message, /within the memory budget: it needs about 19 MB/);
    const linear = await run("linear");
    assert.equal(linear.code, 0, JSON.stringify(linear.record.error));
  });
});

Deno.test("run refuses with exit 2, writing nothing, a recipe over the budget for any input", async () => {
  await withDir(async (dir) => {
    writeNiftiSync(`${dir}/a.nii.gz`, makeVolume({ shape: [6, 5, 4] }));
    await Deno.writeTextFile(`${dir}/m.csv`, "id,image\na,a.nii.gz\n");
    await Deno.writeTextFile(
      `${dir}/r.yaml`,
      recipe("  - step: resample-to-size\n    size: [200, 200, 200]\n"),
    );
    const options = {
      recipe: `${dir}/r.yaml`,
      manifest: `${dir}/m.csv`,
      out: `${dir}/out`,
      workers: 1,
      quiet: true,
      command: ["test"],
      env: envWith(6 * MB),
    };
    await assert.rejects(() => runBatch(options), (e: unknown) => {
      assert.ok(e instanceof RecipeError);
      assert.equal(e.issues.length, 1);
      assert.equal(e.issues[0].path, "steps[1]");
      assert.equal(e.issues[0].line, 5);
      assert.match(
        e.issues[0].message,
        /^Cannot run steps\[1\] \(resample-to-size\) within the memory budget: .*200x200x200.*for any input/,
      );
      return true;
    });
    assert.equal(await exists(`${dir}/out`), false, "nothing written");
  });
});

Deno.test("validate refuses copies that multiply beyond reach (three augment steps of 1000)", async () => {
  const aug = (axis: number) =>
    `  - step: augment\n    copies: 1000\n    transforms:\n      - flip: { axes: [${axis}] }\n`;
  const text = recipe(aug(0) + aug(1) + aug(2));
  assert.throws(() => validateRecipe(text, "r.yaml"), (e: unknown) => {
    assert.ok(e instanceof RecipeError);
    assert.equal(e.issues.length, 1);
    assert.equal(e.issues[0].path, "steps[2].copies");
    assert.match(e.issues[0].message, /^Cannot make 1000 × 1000 = 1e6 copies per subject/);
    return true;
  });
  // Under the limit is fine.
  assert.equal(validateRecipe(recipe(aug(0)), "r.yaml").steps.length, 3);
  await withDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/r.yaml`, text);
    await Deno.writeTextFile(`${dir}/m.csv`, "id,image\na,a.nii.gz\n");
    await assert.rejects(
      () =>
        runBatch({
          recipe: `${dir}/r.yaml`,
          manifest: `${dir}/m.csv`,
          out: `${dir}/out`,
          quiet: true,
          command: ["test"],
        }),
      RecipeError,
    );
    assert.equal(await exists(`${dir}/out`), false);
  });
});

Deno.test("run caps --workers 1000 to the cores with a note, and finishes", async () => {
  await withDir(async (dir) => {
    const rows = ["id,image"];
    for (let n = 0; n < 3; n++) {
      writeNiftiSync(`${dir}/s${n}.nii.gz`, makeVolume({ shape: [6, 5, 4] }));
      rows.push(`s${n},s${n}.nii.gz`);
    }
    await Deno.writeTextFile(`${dir}/m.csv`, rows.join("\n") + "\n");
    await Deno.writeTextFile(`${dir}/r.yaml`, recipe(""));
    const lines: string[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void lines.push(args.join(" "));
    let code: number;
    try {
      code = await runBatch({
        recipe: `${dir}/r.yaml`,
        manifest: `${dir}/m.csv`,
        out: `${dir}/out`,
        workers: 1000,
        command: ["test"],
      });
    } finally {
      console.error = original;
    }
    assert.equal(code, 0);
    const cores = navigator.hardwareConcurrency;
    const note = lines.find((l) => l.includes("--workers 1000 capped"));
    assert.ok(note, lines.join("\n"));
    const n = Number(note.match(/capped to (\d+)/)![1]);
    assert.ok(n >= 1 && n <= cores, note);
    assert.equal((await subjects(`${dir}/out`)).size, 3);
  });
});
