import assert from "node:assert/strict";
import { renderReportHtml, stepMillis } from "../../src/report/report_html.ts";
import { histogram } from "../../src/report/svg_plot.ts";
import { makeProvenance } from "./_provenance.ts";

Deno.test("renderReportHtml lists every subject with its status, inputs, outputs and preview", () => {
  const html = renderReportHtml(makeProvenance());
  const rows = [...html.matchAll(/<tr class="subject" data-status="([^"]*)" data-id="([^"]*)">/g)];
  assert.deepEqual(rows.map((m) => [m[1], m[2]]), [
    ["done", "sub-01"],
    ["done", "sub-02"],
    ["failed", "sub-03"],
    ["done", "&lt;b&gt;x&amp;y&lt;/b&gt;"],
  ]);
  // inputs → outputs with shape, spacing, dtype; the thumbnail is a relative link to the PNG.
  assert.match(html, /<b>image<\/b> 21 × 18 × 10 @ 1 × 1 × 2 mm, int16/);
  assert.match(
    html,
    /<b>image<\/b> 16 × 16 × 12 @ 1\.5 × 1\.5 × 1\.5 mm, int16 <span class="path">sub-01\/image\.nii\.gz/,
  );
  assert.match(
    html,
    /<img class="thumb" loading="lazy" alt="preview of sub-01\/image\.nii\.gz" src="sub-01\/image\.png">/,
  );
  assert.match(html, /<td class="num">12\.5<\/td>/);
});

Deno.test("renderReportHtml shows the recipe, seed, version, commit, counts, failures and warnings", () => {
  const html = renderReportHtml(makeProvenance());
  assert.match(html, /<title>medprep report: demo &lt;recipe&gt;<\/title>/);
  assert.match(html, /<dt>seed<\/dt><dd>42<\/dd>/);
  assert.match(html, /<dt>medprep<\/dt><dd>medprep 0\.1\.0<\/dd>/);
  assert.match(html, /<dt>medprep commit<\/dt><dd>0123abcd<\/dd>/);
  assert.match(
    html,
    /<td>resample-to-spacing<\/td><td><code>\{&quot;spacing&quot;:\[1\.5,1\.5,1\.5\]\}<\/code>/,
  );
  const count = (k: string) =>
    html.match(new RegExp(`<div class="count" data-count="${k}"><b>(\\d+)</b>`))?.[1];
  assert.deepEqual(
    ["subjects", "done", "failed", "outputs", "previews", "warnings"].map(count),
    ["4", "3", "1", "6", "3", "1"],
  );
  assert.match(
    html,
    /<li><b>sub-03<\/b> \(row 3\) steps\[1\] resample-to-spacing: <span class="error">Cannot read &quot;x\.nii&quot;: truncated &lt;gzip&gt;<\/span><\/li>/,
  );
  assert.match(
    html,
    /<li><b>sub-02<\/b>: <span class="warning">steps\[1\] \(resample-to-spacing\): 3 NaN voxels<\/span><\/li>/,
  );
  assert.match(html, /<option value="failed">failed \(1\)<\/option>/);
});

Deno.test("renderReportHtml is self-contained: no external URL, a CSP that forbids the network", () => {
  const html = renderReportHtml(makeProvenance());
  assert.doesNotMatch(html, /(https?:)?\/\/[a-z]/i);
  assert.doesNotMatch(html, /<(link|iframe|object|embed)\b/);
  assert.doesNotMatch(html, /<script[^>]+src=/);
  assert.match(html, /Content-Security-Policy" content="default-src 'none'; img-src 'self' data:/);
  // No raw markup from provenance values: the id <b>x&y</b> is escaped everywhere.
  assert.doesNotMatch(html, /<b>x&y<\/b>/);
});

Deno.test("renderReportHtml plots the input spacing and shape distributions as inline SVG", () => {
  const html = renderReportHtml(makeProvenance());
  const titles = [...html.matchAll(/<text x="8" y="13" class="plot-title">([^<]*)<\/text>/g)].map((
    m,
  ) => m[1]);
  assert.deepEqual(titles, [
    ...["image", "label"].flatMap((r) => [
      `${r} spacing x (n=4)`,
      `${r} spacing y (n=4)`,
      `${r} spacing z (n=4)`,
      `${r} shape x (n=4)`,
      `${r} shape y (n=4)`,
      `${r} shape z (n=4)`,
    ]),
  ]);
  assert.match(html, /0\.8 mm … 1\.2 mm/);
  assert.match(html, /all 2 mm/);
  assert.deepEqual(histogram([0.8, 1, 1, 1.2], 4), { min: 0.8, max: 1.2, counts: [1, 0, 2, 1] });
  assert.deepEqual(histogram([2, 2], 4), { min: 2, max: 2, counts: [2] });
});

Deno.test("renderReportHtml shows dataset statistics when there are some, says so when not", () => {
  const none = renderReportHtml(makeProvenance());
  assert.match(none, /This run computed no dataset statistics/);
  const given = renderReportHtml(makeProvenance(), {
    datasetStats: { image: { mean: 12.25, std: 3, percentiles: [1, 99] } },
    datasetStatsSource: "out/dataset-stats.json",
  });
  assert.match(given, /from out\/dataset-stats\.json/);
  assert.match(given, /<tr><td><code>image\.mean<\/code><\/td><td>12\.25<\/td><\/tr>/);
  assert.match(given, /<tr><td><code>image\.percentiles<\/code><\/td><td>1, 99<\/td><\/tr>/);
  // A run-level provenance key the report does not know (e.g. the stats pass's) is shown too.
  const prov = { ...makeProvenance(), datasetStats: { n: 5 } };
  const fromProv = renderReportHtml(prov);
  assert.match(fromProv, /from provenance\.json: datasetStats/);
  assert.match(fromProv, /<tr><td><code>datasetStats\.n<\/code><\/td><td>5<\/td><\/tr>/);
});

Deno.test("renderReportHtml shows the run's dataset record (provenance dataset) and plots long lists", () => {
  const counts = Array.from({ length: 40 }, (_, i) => (i - 20) ** 2);
  const prov = {
    ...makeProvenance(),
    dataset: {
      source: "computed",
      path: "/o/dataset-stats.json",
      stats: { steps: { "3": { image: { mean: 1.5, histogram: counts, n: 40 } } } },
    },
  };
  const html = renderReportHtml(prov as unknown as Parameters<typeof renderReportHtml>[0], {
    datasetStats: { ignored: 1 },
    datasetStatsSource: "file",
  });
  assert.match(html, /from provenance\.json dataset \(computed: \/o\/dataset-stats\.json\)/);
  assert.match(html, /<tr><td><code>steps\.3\.image\.mean<\/code><\/td><td>1\.5<\/td><\/tr>/);
  assert.doesNotMatch(html, /ignored/);
  // The 40 histogram counts are drawn: one bar each, not written out.
  const row = html.match(/<code>steps\.3\.image\.histogram<\/code><\/td><td>(<svg.*?<\/svg>)<\/td>/)
    ?.[1];
  assert.ok(row, "histogram row drawn as SVG");
  assert.equal([...row.matchAll(/<rect class="bar"/g)].length, 40);
  assert.match(row, /40 values, 0 … 400/);
});

Deno.test("stepMillis sums the recorded step times of a subject", () => {
  const [a, , c] = makeProvenance().subjects;
  assert.equal(stepMillis(a), 12.5);
  assert.equal(stepMillis(c), 0);
});
