import assert from "node:assert/strict";
import { renderReportHtml } from "../../src/report/report_html.ts";
import { makeProvenance } from "./_provenance.ts";

Deno.test("the report does not show a run's runFiles (its manifest.csv, dataset.json) as dataset statistics", () => {
  const p = makeProvenance();
  delete (p as { dataset?: unknown }).dataset;
  p.runFiles = [{ path: "manifest.csv", sha256: "ab".repeat(32) }];
  const html = renderReportHtml(p);
  assert.doesNotMatch(html, /provenance\.json: runFiles/);
});
