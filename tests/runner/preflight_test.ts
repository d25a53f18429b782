import assert from "node:assert/strict";
import { planOutputs } from "../../src/recipe/output_names.ts";
import { checkWritable, findInputOutputClashes, runPreflight } from "../../src/runner/preflight.ts";
import { createDataset } from "./_dataset.ts";
import { readManifest } from "../../src/manifest/manifest.ts";
import type { Job } from "../../src/runner/messages.ts";
import { testPlan } from "./_fake.ts";

const jobs: Job[] = [
  { id: "a", row: 2, paths: { image: "/d/x/scan.nii.gz", label: "/d/x/seg.nii.gz" } },
  { id: "b", row: 3, paths: { image: "/d/y/scan.nii.gz" } },
];

Deno.test("findInputOutputClashes refuses to overwrite an input", () => {
  const plan = testPlan([{ step: "load" }, { step: "save", name: "{stem}.nii.gz" }]);
  const planned = planOutputs(plan, [jobs[0]]).outputs;
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
    const plan = testPlan([{ step: "load" }, { step: "save" }]);
    const outputs = planOutputs(plan, dsJobs).outputs;
    const warnings: string[] = [];
    const base = { outDir: `${ds.dir}/out`, dryRun: true, warn: (l: string) => warnings.push(l) };
    await runPreflight(dsJobs, outputs, plan, {
      ...base,
      readFree: () => Promise.resolve(10),
    });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /outputs may need about [\d.]+ kB but only 10 B are free/);
    await runPreflight(dsJobs, outputs, plan, {
      ...base,
      readFree: () => Promise.resolve(1e12),
    });
    assert.equal(warnings.length, 1);
    await runPreflight(dsJobs, outputs, plan, {
      ...base,
      readFree: () => Promise.resolve({ skipped: "running df is not permitted" }),
    });
    assert.match(warnings[1], /free disk space not checked: running df is not permitted/);
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});
