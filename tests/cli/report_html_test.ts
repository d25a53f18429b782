import assert from "node:assert/strict";
import { rebuildReport } from "../../src/cli/report_html.ts";
import { UsageError } from "../../src/errors.ts";
import { runBatch } from "../../src/runner/batch.ts";
import { reportPathOf } from "../../src/report/write_report.ts";
import { createDataset } from "../runner/_dataset.ts";
import { readPreviousRun, settlePreviousRun } from "../../src/runner/previous_run.ts";
import { runCli } from "./_run.ts";

const RECIPE = `version: 1
name: report-cli
steps:
  - step: load
    labels: [label]
  - step: save
`;

Deno.test("reportPathOf names the report after its provenance file", () => {
  assert.equal(reportPathOf("/o/provenance.json"), "/o/report.html");
  assert.equal(reportPathOf("/o/provenance.shard-2-of-3.json"), "/o/report.shard-2-of-3.html");
});

Deno.test("medprep report OUT_DIR rebuilds the report.html the run wrote, byte for byte", async () => {
  const ds = await createDataset({ count: 2, recipe: RECIPE });
  try {
    const out = `${ds.dir}/out`;
    const base = { quiet: true, command: ["test"], recipe: ds.recipe, manifest: ds.manifest };
    assert.equal(await runBatch({ ...base, out, workers: 1 }), 0);
    const written = await Deno.readTextFile(`${out}/report.html`);
    assert.match(written, /<tr class="subject" data-status="done" data-id="sub-01">/);
    await Deno.remove(`${out}/report.html`);
    const r = await runCli(["report", out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /wrote .*\/out\/report\.html/);
    assert.equal(await Deno.readTextFile(`${out}/report.html`), written);
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});

Deno.test("medprep report exits 2 without a usable provenance file, naming it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "medprep-report-" });
  try {
    const none = await runCli(["report", dir]);
    assert.equal(none.code, 2);
    assert.match(
      none.stderr,
      /Cannot build a report from ".*provenance\.json": no such file; is it the --out folder of a run\?/,
    );
    await Deno.writeTextFile(`${dir}/provenance.json`, "{ not json");
    const bad = await runCli(["report", dir]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /not valid JSON/);
    assert.equal(await Deno.stat(`${dir}/report.html`).then(() => true, () => false), false);
    // A sharded run without merge: the hint names merge-provenance and a shard file.
    await Deno.remove(`${dir}/provenance.json`);
    await Deno.writeTextFile(`${dir}/provenance.shard-1-of-2.json`, "{}");
    await assert.rejects(
      () => rebuildReport(dir),
      (e) =>
        e instanceof UsageError && /merge-provenance/.test(e.message) &&
        /shard-1-of-2/.test(e.message),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("shard runs write their own report; merge-provenance writes the whole run's", async () => {
  const ds = await createDataset({ count: 3, recipe: RECIPE });
  try {
    const out = `${ds.dir}/out`;
    const base = { quiet: true, command: ["test"], recipe: ds.recipe, manifest: ds.manifest };
    for (const shard of ["1/2", "2/2"]) {
      assert.equal(await runBatch({ ...base, out, shard, workers: 1 }), 0);
    }
    const names = [...Deno.readDirSync(out)].map((e) => e.name).filter((n) => n.endsWith(".html"));
    assert.deepEqual(names.sort(), ["report.shard-1-of-2.html", "report.shard-2-of-2.html"]);
    const r = await runCli(["merge-provenance", out]);
    assert.equal(r.code, 0, r.stderr);
    const html = await Deno.readTextFile(`${out}/report.html`);
    const ids = [...html.matchAll(/data-id="([^"]*)"/g)].map((m) => m[1]);
    assert.deepEqual(ids, ["sub-01", "sub-02", "sub-03"]);
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});

Deno.test("--force into another recipe's folder removes that run's report with its outputs", async () => {
  const ds = await createDataset({ count: 1, recipe: RECIPE });
  try {
    const out = `${ds.dir}/out`;
    const base = { quiet: true, command: ["test"], manifest: ds.manifest, workers: 1 };
    assert.equal(await runBatch({ ...base, recipe: ds.recipe, out }), 0);
    const other = `${ds.dir}/other.yaml`;
    await Deno.writeTextFile(
      other,
      RECIPE.replace("report-cli", "other").replace(
        "  - step: save\n",
        '  - step: save\n    name: "{id}-{role}.nii.gz"\n',
      ),
    );
    // --force removes the old run's report with its outputs (a new run killed before its end
    // then leaves no report describing removed files) ...
    const previous = await readPreviousRun(`${out}/provenance.json`);
    const header = {
      ...previous.sources[0].header,
      recipe: { ...previous.sources[0].header.recipe, sha256: "0".repeat(64) },
    };
    await settlePreviousRun(previous, header, {
      resume: false,
      force: true,
      outDir: out,
      log: () => {},
    });
    assert.deepEqual([...Deno.readDirSync(out)].map((e) => e.name), []);
    // ... and the new run writes its own.
    assert.equal(await runBatch({ ...base, recipe: other, out, force: true }), 0);
    const html = await Deno.readTextFile(`${out}/report.html`);
    assert.match(html, /<title>medprep report: other<\/title>/);
    const files = [...Deno.readDirSync(out)].map((e) => e.name).sort();
    assert.deepEqual(files, [
      "dataset.json",
      "manifest.csv",
      "provenance.json",
      "report.html",
      "sub-01-image.nii.gz",
      "sub-01-label.nii.gz",
    ]);
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});
