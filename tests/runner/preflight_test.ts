import assert from "node:assert/strict";
import {
  checkWritable,
  findCollisions,
  findInputOutputClashes,
  planOutputs,
  runPreflight,
} from "../../src/runner/preflight.ts";
import { createDataset } from "./_dataset.ts";
import { readManifest } from "../../src/manifest/manifest.ts";
import type { Job } from "../../src/runner/messages.ts";
import { TEST_STEPS, testRecipe } from "./_fake.ts";

const jobs: Job[] = [
  { id: "a", row: 2, paths: { image: "/d/x/scan.nii.gz", label: "/d/x/seg.nii.gz" } },
  { id: "b", row: 3, paths: { image: "/d/y/scan.nii.gz" } },
];

Deno.test("planOutputs renders every role and copy of every subject", () => {
  const recipe = testRecipe([
    { step: "load" },
    { step: "jitter", copies: 2 },
    { step: "save", name: "{id}/{role}_{copy}", format: "nii" },
  ]);
  assert.deepEqual(planOutputs(jobs, recipe, TEST_STEPS).map((o) => [o.row, o.path]), [
    [2, "a/image_0.nii"],
    [2, "a/image_1.nii"],
    [2, "a/label_0.nii"],
    [2, "a/label_1.nii"],
    [3, "b/image_0.nii"],
    [3, "b/image_1.nii"],
  ]);
});

Deno.test("findCollisions names both manifest rows of a clash, including letter case", () => {
  const recipe = testRecipe([{ step: "load" }, { step: "save", name: "{stem}.nii.gz" }]);
  const issues = findCollisions(planOutputs(jobs, recipe, TEST_STEPS), "m.csv");
  assert.equal(issues.length, 1);
  assert.equal(issues[0].file, "m.csv");
  assert.match(
    issues[0].message,
    /^Cannot write "scan.nii.gz": row 3 \(subject "b", role image\) and row 2 \(subject "a", role image\)/,
  );
  const cased = findCollisions([
    { id: "A", row: 1, role: "image", copy: 0, path: "A.nii" },
    { id: "a", row: 2, role: "image", copy: 0, path: "a.nii" },
  ]);
  assert.match(cased[0].message, /letter case/);
});

Deno.test("findInputOutputClashes refuses to overwrite an input", () => {
  const recipe = testRecipe([{ step: "load" }, { step: "save", name: "{stem}.nii.gz" }]);
  const planned = planOutputs([jobs[0]], recipe, TEST_STEPS);
  const issues = findInputOutputClashes([jobs[0]], planned, "/d/x");
  assert.equal(issues.length, 2);
  assert.match(issues[0].message, /it is the input of row 2 \(subject "a", role image\)/);
  assert.deepEqual(findInputOutputClashes([jobs[0]], planned, "/elsewhere"), []);
});

Deno.test("checkWritable creates the directory and reports one it cannot write", async () => {
  const dir = await Deno.makeTempDir();
  try {
    assert.equal(await checkWritable(`${dir}/new/out`), undefined);
    assert.ok((await Deno.stat(`${dir}/new/out`)).isDirectory);
    await Deno.writeTextFile(`${dir}/file`, "");
    const issue = await checkWritable(`${dir}/file/out`);
    assert.match(issue!.message, /^Cannot write to ".*\/file\/out": /);
    assert.equal(
      (await checkWritable(`${dir}/file`))!.message,
      `Cannot write to "${dir}/file": it (or a parent) is a file, not a directory`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("runPreflight warns when the outputs may not fit the free disk space", async () => {
  const ds = await createDataset({ count: 2 });
  try {
    const manifest = await readManifest(ds.manifest);
    const dsJobs = manifest.rows.map((r) => ({ id: r.id, row: r.row, paths: r.paths }));
    const recipe = testRecipe([{ step: "load" }, { step: "save" }]);
    const warnings: string[] = [];
    const base = { outDir: `${ds.dir}/out`, dryRun: true, warn: (l: string) => warnings.push(l) };
    await runPreflight(dsJobs, recipe, TEST_STEPS, {
      ...base,
      readFree: () => Promise.resolve(10),
    });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /outputs may need about [\d.]+ kB but only 10 B are free/);
    await runPreflight(dsJobs, recipe, TEST_STEPS, {
      ...base,
      readFree: () => Promise.resolve(1e12),
    });
    assert.equal(warnings.length, 1);
    await runPreflight(dsJobs, recipe, TEST_STEPS, {
      ...base,
      readFree: () => Promise.resolve({ skipped: "running df is not permitted" }),
    });
    assert.match(warnings[1], /free disk space not checked: running df is not permitted/);
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});
