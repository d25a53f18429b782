/**
 * `<out>/report.html`: one self-contained page about a run, built from its provenance alone —
 * recipe, seed, medprep version/commit, counts, failures and warnings with their messages, a
 * subject table (inputs → outputs: shape, spacing, dtype, time) with preview thumbnails, a
 * filter by status, inline-SVG histograms of the input spacings and shapes, and the dataset
 * statistics when the run has any. Inline CSS and script only, and a Content-Security-Policy
 * that forbids every network request. Thumbnails are relative links to the preview PNGs the
 * run wrote beside its outputs (`save: { preview: true }`), so the page stays small for large
 * datasets and works wherever the output folder is copied whole. Pure: provenance in, text out.
 */
import type { Provenance, SubjectRecord } from "../provenance/types.ts";
import { stringifyStable } from "../provenance/stable_json.ts";
import { escapeHtml as esc, formatValue } from "./html.ts";
import { barsSvg, histogramSvg } from "./svg_plot.ts";

/** What the report shows besides the provenance. */
export interface ReportExtras {
  /** Dataset statistics (`dataset-stats.json`, or a provenance key), when the run has any. */
  datasetStats?: unknown;
  /** Where the statistics came from (shown with them). */
  datasetStatsSource?: string;
}

/** The recipe name a report is titled with (`<title>medprep report: NAME</title>`). */
export function reportNameOf(p: Pick<Provenance, "recipe">): string {
  return p.recipe.resolved?.name ?? "recipe";
}

/** Provenance keys of the run record that the report shows in their own sections. */
const KNOWN_KEYS = new Set([
  "tool",
  "deno",
  "recipe",
  "seed",
  "manifest",
  "command",
  "shard",
  "started",
  "finished",
  "status",
  "dataset",
  "subjects",
  "runFiles", // the run's manifest.csv / dataset.json / dataset-stats.json, not statistics
]);

const triple = (v: readonly number[] | undefined) =>
  v ? v.map((x) => formatValue(x)).join(" × ") : "–";

function statusBadge(status: string): string {
  return `<span class="badge st-${esc(status)}">${esc(status)}</span>`;
}

/** Milliseconds a subject's steps took (sum of recorded step times; load and save excluded). */
export function stepMillis(subject: SubjectRecord): number {
  return Math.round(subject.steps.reduce((s, e) => s + (e.ms ?? 0), 0) * 10) / 10;
}

/** The grid of each output (role, copy) as the last step before the sink left it. */
function outputGrids(subject: SubjectRecord) {
  const grids = new Map<string, { shape: number[]; spacing: number[] }>();
  for (const input of subject.inputs) {
    for (const copy of new Set([0, ...subject.outputs.map((o) => o.copy)])) {
      grids.set(`${input.role}\u0000${copy}`, input);
    }
  }
  for (const step of subject.steps) {
    for (const item of step.items) grids.set(`${item.role}\u0000${step.copy}`, item);
  }
  return grids;
}

function subjectRow(subject: SubjectRecord): string {
  const grids = outputGrids(subject);
  const inputs = subject.inputs.map((i) =>
    `<div class="file"><b>${esc(i.role)}</b>${i.label ? " (label)" : ""} ${
      esc(triple(i.shape))
    } @ ${esc(triple(i.spacing))} mm, ${esc(i.dtype)}</div>`
  ).join("");
  const volumes = subject.outputs.filter((o) => !o.previewOf);
  const previews = new Map(
    subject.outputs.filter((o) => o.previewOf).map((o) => [o.previewOf!, o]),
  );
  const outputs = volumes.map((o) => {
    const g = grids.get(`${o.role}\u0000${o.copy}`);
    return `<div class="file"><b>${esc(o.role)}</b>${o.copy ? ` copy ${o.copy}` : ""} ${
      g ? `${esc(triple(g.shape))} @ ${esc(triple(g.spacing))} mm, ` : ""
    }${esc(o.dtype)} <span class="path">${esc(o.path)}</span></div>`;
  }).join("");
  const thumbs = volumes.map((o) => previews.get(o.path)).filter((p) => p !== undefined)
    .map((p) =>
      `<a href="${esc(encodeURI(p!.path))}"><img class="thumb" loading="lazy" alt="preview of ${
        esc(p!.previewOf)
      }" src="${esc(encodeURI(p!.path))}"></a>`
    ).join("");
  const problems = [
    ...(subject.error
      ? [
        `<div class="error">steps[${subject.error.step}] ${esc(subject.error.name)}: ${
          esc(subject.error.message)
        }</div>`,
      ]
      : []),
    ...subject.warnings.map((w) => `<div class="warning">${esc(w)}</div>`),
  ].join("");
  return `<tr class="subject" data-status="${esc(subject.status)}" data-id="${esc(subject.id)}">` +
    `<td>${statusBadge(subject.status)}</td><td class="id">${esc(subject.id)}</td>` +
    `<td class="num">${subject.row}</td><td>${inputs || "–"}</td><td>${outputs || "–"}</td>` +
    `<td class="num">${stepMillis(subject)}</td><td>${thumbs}</td><td>${problems}</td></tr>`;
}

/** Numeric lists longer than this are drawn (an inline SVG) instead of written out. */
const LONG_LIST = 12;

/**
 * `[key path, value]` leaves of a JSON value, at most `limit`; numeric lists kept whole (as
 * text, or as a small bar plot when longer than LONG_LIST, e.g. a pooled histogram).
 */
function leaves(value: unknown, prefix = "", limit = 400): [string, string, boolean][] {
  const out: [string, string, boolean][] = [];
  const walk = (v: unknown, path: string) => {
    if (out.length >= limit) return;
    if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === "number")) {
      if (v.length > LONG_LIST) out.push([path, barsSvg(path, v), true]);
      else out.push([path, v.map(formatValue).join(", "), false]);
    } else if (v !== null && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) walk(x, path ? `${path}.${k}` : k);
    } else out.push([path, typeof v === "number" ? formatValue(v) : String(v), false]);
  };
  walk(value, prefix);
  return out;
}

/** Where the dataset statistics of a run are: provenance `dataset`, the file, other keys. */
function datasetStatsOf(
  p: Provenance,
  extras: ReportExtras,
): { source: string; value: unknown } | null {
  const record = p as unknown as Record<string, unknown>;
  const dataset = record.dataset as { source?: string; path?: string; stats?: unknown } | undefined;
  if (dataset && typeof dataset === "object" && dataset.stats !== undefined) {
    return {
      source: `provenance.json dataset (${dataset.source ?? "?"}: ${dataset.path ?? "?"})`,
      value: dataset.stats,
    };
  }
  if (extras.datasetStats !== undefined) {
    return {
      source: extras.datasetStatsSource ?? "dataset statistics",
      value: extras.datasetStats,
    };
  }
  const extraKeys = Object.keys(p).filter((k) => !KNOWN_KEYS.has(k));
  if (extraKeys.length === 0) return null;
  return {
    source: `provenance.json: ${extraKeys.join(", ")}`,
    value: Object.fromEntries(extraKeys.map((k) => [k, record[k]])),
  };
}

function section(id: string, title: string, body: string): string {
  return `<section id="${id}"><h2>${esc(title)}</h2>${body}</section>`;
}

function distributionPlots(subjects: readonly SubjectRecord[]): string {
  const roles = [...new Set(subjects.flatMap((s) => s.inputs.map((i) => i.role)))];
  if (roles.length === 0) return "<p>No inputs were read.</p>";
  return roles.map((role) => {
    const inputs = subjects.flatMap((s) => s.inputs.filter((i) => i.role === role));
    const plots = [0, 1, 2].map((a) =>
      histogramSvg(`${role} spacing ${"xyz"[a]}`, inputs.map((i) => i.spacing[a]), " mm")
    ).concat(
      [0, 1, 2].map((a) =>
        histogramSvg(`${role} shape ${"xyz"[a]}`, inputs.map((i) => i.shape[a]))
      ),
    );
    return `<h3>${esc(role)}</h3><div class="plots">${plots.join("")}</div>`;
  }).join("");
}

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1d2430;background:#f6f7f9}
header{background:#1d2430;color:#fff;padding:16px 24px}header h1{margin:0 0 4px;font-size:20px}
main{padding:8px 24px 40px}section{background:#fff;border:1px solid #dde1e7;border-radius:6px;margin:14px 0;padding:10px 16px}
h2{font-size:16px;margin:4px 0 10px}h3{font-size:14px;margin:10px 0 4px}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #e6e9ee;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#eef1f5;position:sticky;top:0}.num{text-align:right;font-variant-numeric:tabular-nums}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:0}dt{color:#5a6472}dd{margin:0;word-break:break-all}
.badge{border-radius:10px;padding:1px 8px;font-size:12px;color:#fff;background:#7a8594}
.st-done,.st-complete{background:#2e7d32}.st-failed{background:#c62828}.st-interrupted,.st-pending{background:#b26a00}
.counts{display:flex;gap:10px;flex-wrap:wrap}.count{border:1px solid #dde1e7;border-radius:6px;padding:6px 12px;min-width:90px}
.count b{display:block;font-size:20px}.error{color:#b71c1c}.warning{color:#8a5a00}.path{color:#5a6472;font-size:12px}
.thumb{height:96px;border:1px solid #ccd;margin:2px;background:#000}.plots{display:flex;flex-wrap:wrap;gap:8px}
.plot{background:#fafbfc;border:1px solid #e6e9ee}.plot .bar{fill:#3f6fb5}.plot .axis{stroke:#889}
.plot-title{font-size:11px;fill:#1d2430}.plot-range{font-size:10px;fill:#5a6472}
.filters{display:flex;gap:12px;align-items:center;margin-bottom:8px}pre{background:#f3f5f8;padding:8px;overflow:auto}
tr.hidden{display:none}`;

const SCRIPT = `
(function () {
  var status = document.getElementById('status-filter');
  var search = document.getElementById('id-filter');
  var shown = document.getElementById('shown-count');
  function apply() {
    var want = status.value, text = search.value.toLowerCase(), n = 0;
    var rows = document.querySelectorAll('tr.subject');
    for (var i = 0; i < rows.length; i++) {
      var r = rows[i];
      var ok = (want === 'all' || r.getAttribute('data-status') === want) &&
        r.getAttribute('data-id').toLowerCase().indexOf(text) >= 0;
      r.classList.toggle('hidden', !ok);
      if (ok) n++;
    }
    shown.textContent = String(n);
  }
  status.addEventListener('change', apply);
  search.addEventListener('input', apply);
  apply();
})();`;

/** The whole report page for a run (see the module comment). */
export function renderReportHtml(provenance: Provenance, extras: ReportExtras = {}): string {
  const p = provenance;
  const subjects = p.subjects;
  const byStatus = new Map<string, number>();
  for (const s of subjects) byStatus.set(s.status, (byStatus.get(s.status) ?? 0) + 1);
  const warnings = subjects.flatMap((s) => s.warnings.map((w) => ({ id: s.id, w })));
  const failures = subjects.filter((s) => s.error);
  const outputs = subjects.flatMap((s) => s.outputs);
  const previewCount = outputs.filter((o) => o.previewOf).length;
  const name = reportNameOf(p);
  const git = p.tool.git
    ? `${p.tool.git.commit}${p.tool.git.dirty ? " (uncommitted changes)" : ""}`
    : "unknown (not a git checkout)";
  const facts: [string, string][] = [
    ["status", p.status],
    ["recipe", `${p.recipe.path}`],
    ["recipe sha256", p.recipe.sha256],
    [
      "recipe git",
      p.recipe.git ? `${p.recipe.git.commit}${p.recipe.git.dirty ? " (modified)" : ""}` : "–",
    ],
    ["seed", String(p.seed)],
    ["medprep", `${p.tool.name} ${p.tool.version}`],
    ["medprep commit", git],
    ["medprep sources sha256", p.tool.source?.sha256 ?? "–"],
    ["deno", p.deno ? `${p.deno.deno} (v8 ${p.deno.v8}, typescript ${p.deno.typescript})` : "–"],
    ["manifest", `${p.manifest.path ?? p.manifest.glob ?? "–"} (${p.manifest.kind})`],
    ["manifest sha256", p.manifest.sha256 ?? "–"],
    ["command", p.command.join(" ")],
    ["started", p.started],
    ["finished", p.finished],
    ...(p.shard
      ? [
        ["shard", `${p.shard.index} of ${p.shard.count} (${p.shard.assigned.length} subjects)`] as [
          string,
          string,
        ],
      ]
      : []),
  ];
  const counts: [string, number][] = [
    ["subjects", subjects.length],
    ["done", byStatus.get("done") ?? 0],
    ["failed", byStatus.get("failed") ?? 0],
    ["interrupted", (byStatus.get("interrupted") ?? 0) + (byStatus.get("pending") ?? 0)],
    ["outputs", outputs.length - previewCount],
    ["previews", previewCount],
    ["warnings", warnings.length],
  ];
  const statuses = ["done", "failed", "interrupted", "pending"].filter((s) => byStatus.has(s));
  const recipeSteps = (p.recipe.resolved?.steps ?? []).map((s, i) =>
    `<tr><td class="num">${i}</td><td>${esc(s.step)}</td><td><code>${
      esc(JSON.stringify(JSON.parse(stringifyStable(s.params)))) // provenance's key order
    }</code></td></tr>`
  ).join("");
  const stats = datasetStatsOf(p, extras);
  const statsBody = stats
    ? `<p class="path">from ${esc(stats.source)}</p><table class="stats"><tbody>${
      leaves(stats.value).map(([k, v, svg]) =>
        `<tr><td><code>${esc(k)}</code></td><td>${svg ? v : esc(v)}</td></tr>`
      )
        .join("")
    }</tbody></table>`
    : "<p>This run computed no dataset statistics (no <code>over: dataset</code> step).</p>";
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>medprep report: ${esc(name)}</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>medprep report: ${esc(name)}</h1><div>${statusBadge(p.status)} ${
    esc(`${subjects.length} subjects, seed ${p.seed}, ${p.tool.name} ${p.tool.version}`)
  }</div></header>
<main>
${
    section(
      "run",
      "Run",
      `<dl class="facts">${
        facts.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join("")
      }</dl>`,
    )
  }
${
    section(
      "counts",
      "Counts",
      `<div class="counts">${
        counts.map(([k, n]) =>
          `<div class="count" data-count="${esc(k)}"><b>${n}</b>${esc(k)}</div>`
        ).join("")
      }</div>`,
    )
  }
${
    section(
      "failures",
      `Failures (${failures.length})`,
      failures.length
        ? `<ul>${
          failures.map((s) =>
            `<li><b>${esc(s.id)}</b> (row ${s.row}) steps[${s.error!.step}] ${
              esc(s.error!.name)
            }: <span class="error">${esc(s.error!.message)}</span></li>`
          ).join("")
        }</ul>`
        : "<p>No subject failed.</p>",
    )
  }
${
    section(
      "warnings",
      `Warnings (${warnings.length})`,
      warnings.length
        ? `<ul>${
          warnings.map(({ id, w }) =>
            `<li><b>${esc(id)}</b>: <span class="warning">${esc(w)}</span></li>`
          ).join("")
        }</ul>`
        : "<p>No warnings.</p>",
    )
  }
${
    section(
      "recipe",
      "Recipe",
      `<table><thead><tr><th>#</th><th>step</th><th>params (resolved)</th></tr></thead><tbody>${recipeSteps}</tbody></table>`,
    )
  }
${section("distributions", "Input spacing and shape", distributionPlots(subjects))}
${section("dataset-stats", "Dataset statistics", statsBody)}
${
    section(
      "subjects",
      "Subjects",
      `<div class="filters"><label>status <select id="status-filter"><option value="all">all</option>${
        statuses.map((s) => `<option value="${s}">${s} (${byStatus.get(s)})</option>`).join("")
      }</select></label><label>id <input id="id-filter" type="search" placeholder="filter ids"></label>` +
        `<span><span id="shown-count">${subjects.length}</span> of ${subjects.length} shown</span></div>` +
        `<table id="subject-table"><thead><tr><th>status</th><th>id</th><th>row</th><th>inputs</th>` +
        `<th>outputs</th><th>steps ms</th><th>previews</th><th>messages</th></tr></thead><tbody>${
          subjects.map(subjectRow).join("")
        }</tbody></table>`,
    )
  }
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
