import assert from "node:assert/strict";
import { runBatch } from "../../src/runner/batch.ts";
import { createDataset } from "../runner/_dataset.ts";
import { CHROMIUM } from "./_chromium.ts";
import type { BrowserReport } from "./_report_in_browser.ts";

const RECIPE = `version: 1
name: browser-demo
seed: 5
steps:
  - step: load
    labels: [label]
  - step: resample-to-spacing
    spacing: [1.5, 1.5, 2]
  - step: save
    name: "{id}/{role}.nii.gz"
    preview: true
`;

const ROOT = new URL("../../", import.meta.url).pathname;

/** Runs the browser driver in its own process (it needs --allow-net=127.0.0.1). */
async function viewInBrowser(report: string, screenshot: string): Promise<BrowserReport> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      "--config",
      `${ROOT}deno.json`,
      "--allow-net=127.0.0.1",
      "--allow-run",
      "--allow-read",
      "--allow-write",
      "--allow-env",
      `${ROOT}tests/report/_report_in_browser.ts`,
      report,
      screenshot,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    throw new Error(`browser driver failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  return JSON.parse(text);
}

Deno.test({
  name:
    "report.html in headless Chromium: no console error, every subject row, status filter, screenshot",
  ignore: !CHROMIUM,
  async fn() {
    const ds = await createDataset({ count: 5, recipe: RECIPE });
    try {
      // One subject fails (its image is not NIfTI), so the page has failures to filter.
      await Deno.writeTextFile(`${ds.dir}/in/sub-03_ct.nii.gz`, "not a nifti file");
      const out = `${ds.dir}/out`;
      const code = await runBatch({
        quiet: true,
        command: ["test"],
        recipe: ds.recipe,
        manifest: ds.manifest,
        out,
        workers: 2,
      });
      assert.equal(code, 1);
      const prov = JSON.parse(await Deno.readTextFile(`${out}/provenance.json`));
      const screenshot = `${ds.dir}/report-screenshot.png`;
      const seen = await viewInBrowser(`${out}/report.html`, screenshot);

      assert.deepEqual(seen.errors, [], "no console errors, exceptions or CSP violations");
      assert.deepEqual(
        seen.requests.filter((u) => !u.startsWith("file://")),
        [],
        "no network request",
      );
      assert.equal(seen.title, "medprep report: browser-demo");
      const ids = prov.subjects.map((s: { id: string }) => s.id);
      assert.deepEqual(seen.rows.map((r) => r.id), ids, "every subject row");
      assert.deepEqual(
        seen.rows.map((r) => r.status),
        prov.subjects.map((s: { status: string }) => s.status),
      );
      assert.ok(seen.rows.every((r) => r.visible));
      // 4 done subjects × 2 outputs, each with its preview thumbnail loaded from the out folder.
      assert.equal(seen.thumbs.length, 8);
      assert.ok(seen.thumbs.every((t) => t.loaded && t.width > 100), JSON.stringify(seen.thumbs));
      assert.ok(seen.plots >= 12, `histogram bars: ${seen.plots}`);
      const byStatus = (st: string) =>
        prov.subjects.filter((s: { status: string }) => s.status === st).map((s: { id: string }) =>
          s.id
        );
      assert.deepEqual(seen.filters, [
        { value: "done", visible: byStatus("done"), shownCount: "4" },
        { value: "failed", visible: ["sub-03"], shownCount: "1" },
        { value: "all", visible: ids, shownCount: "5" },
      ]);

      // The screenshot is a real picture: decoded by Pillow, sized as the viewport, not blank.
      const check = await new Deno.Command("/usr/bin/python3", {
        args: [
          "-c",
          `import json, sys
from PIL import Image
import numpy as np
img = np.asarray(Image.open(sys.argv[1]).convert('RGB')).astype(int)
colors = len(np.unique(img.reshape(-1, 3), axis=0))
print(json.dumps({'size': [img.shape[1], img.shape[0]], 'std': float(img.std()), 'colors': colors,
  'dark': float((img.sum(axis=2) < 150).mean())}))`,
          screenshot,
        ],
        stdout: "piped",
        stderr: "piped",
      }).output();
      if (!check.success) {
        // No Pillow: at least the bytes are a PNG of some size.
        const png = await Deno.readFile(screenshot);
        assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47]);
        assert.ok(png.length > 20_000);
        console.warn("NOTICE: no Pillow in /usr/bin/python3; screenshot checked by size only");
      } else {
        const got = JSON.parse(new TextDecoder().decode(check.stdout));
        assert.deepEqual(got.size, [1280, 900]);
        assert.ok(got.std > 20, `not blank: std ${got.std}`);
        assert.ok(got.colors > 50, `not blank: ${got.colors} colours`);
        assert.ok(got.dark > 0.01, "the dark header / thumbnails are drawn");
      }
      const keep = Deno.env.get("MEDPREP_ARTIFACTS");
      if (keep) await Deno.copyFile(screenshot, `${keep}/report-screenshot.png`);
    } finally {
      await Deno.remove(ds.dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "the browser check sees console errors, exceptions and blocked network requests",
  ignore: !CHROMIUM,
  async fn() {
    // A negative control: the same CSP as the report, a page that breaks every rule.
    const dir = await Deno.makeTempDir({ prefix: "medprep-browser-" });
    try {
      const csp =
        `default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'`;
      await Deno.writeTextFile(
        `${dir}/bad.html`,
        `<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="${csp}">` +
          `<title>bad</title></head><body><img src="http://192.0.2.1/x.png">` +
          `<script>console.error("broken"); notDefined();</script></body></html>`,
      );
      const seen = await viewInBrowser(`${dir}/bad.html`, `${dir}/shot.png`);
      assert.ok(
        seen.errors.some((e) => e.includes("console.error: broken")),
        seen.errors.join("\n"),
      );
      assert.ok(seen.errors.some((e) => e.includes("notDefined")), seen.errors.join("\n"));
      assert.ok(
        seen.errors.some((e) => /Content Security Policy/i.test(e)),
        seen.errors.join("\n"),
      );
      assert.deepEqual(seen.rows, []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
