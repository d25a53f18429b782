/**
 * Loads a report.html in headless Chromium and says what a user would see, as JSON on stdout:
 * console errors, requests, subject rows, thumbnails, the rows left by each status filter, and
 * a screenshot (written to the path given). Run as its own process because the DevTools
 * WebSocket needs --allow-net=127.0.0.1, which the test runner does not grant:
 *   deno run --allow-net=127.0.0.1 --allow-run --allow-read --allow-write --allow-env \
 *     tests/report/_report_in_browser.ts REPORT.html SCREENSHOT.png
 */
import { openPage } from "./_chromium.ts";

/** What the browser saw. */
export interface BrowserReport {
  errors: string[];
  requests: string[];
  title: string;
  rows: { id: string; status: string; visible: boolean }[];
  thumbs: { src: string; loaded: boolean; width: number }[];
  filters: { value: string; visible: string[]; shownCount: string }[];
  plots: number;
  screenshot: { path: string; bytes: number };
}

async function main(reportPath: string, screenshotPath: string): Promise<BrowserReport> {
  const page = await openPage();
  try {
    await page.goto(`file://${reportPath}`);
    // Lazy thumbnails: scroll through the page so each one is fetched, then wait for them.
    await page.evaluate(`(async () => {
      for (let y = 0; y < document.body.scrollHeight; y += 400) {
        window.scrollTo(0, y); await new Promise((r) => setTimeout(r, 30));
      }
      await Promise.all([...document.images].map((i) => i.complete ? 0 : new Promise((r) => {
        i.addEventListener('load', r); i.addEventListener('error', r);
      })));
      window.scrollTo(0, 0);
    })()`);
    const rows = () =>
      page.evaluate<BrowserReport["rows"]>(
        `[...document.querySelectorAll('tr.subject')].map((r) => ({
        id: r.querySelector('td.id').textContent, status: r.dataset.status,
        visible: r.getBoundingClientRect().height > 0 }))`,
      );
    const title = await page.evaluate<string>("document.title");
    const allRows = await rows();
    const thumbs = await page.evaluate<BrowserReport["thumbs"]>(
      `[...document.querySelectorAll('img.thumb')].map((i) => ({ src: i.getAttribute('src'),
        loaded: i.complete && i.naturalWidth > 0, width: i.naturalWidth }))`,
    );
    const plots = await page.evaluate<number>(
      "document.querySelectorAll('svg.plot rect.bar').length",
    );
    const values = await page.evaluate<string[]>(
      "[...document.querySelectorAll('#status-filter option')].map((o) => o.value)",
    );
    const filters: BrowserReport["filters"] = [];
    for (const value of values.length ? [...values.filter((v) => v !== "all"), "all"] : []) {
      // As a user does it: focus the select, choose, and the page reacts to "change".
      await page.evaluate(`(() => { const s = document.getElementById('status-filter');
        s.focus(); s.value = ${JSON.stringify(value)};
        s.dispatchEvent(new Event('change', { bubbles: true })); })()`);
      const visible = (await rows()).filter((r) => r.visible).map((r) => r.id);
      const shownCount = await page.evaluate<string>(
        "document.getElementById('shown-count').textContent",
      );
      filters.push({ value, visible, shownCount });
    }
    await page.evaluate("document.activeElement.blur(); window.scrollTo(0, 0)");
    const shot = await page.send("Page.captureScreenshot", { format: "png" }) as { data: string };
    const bytes = Uint8Array.from(atob(shot.data), (c) => c.charCodeAt(0));
    await Deno.writeFile(screenshotPath, bytes);
    return {
      errors: page.errors,
      requests: page.requests,
      title,
      rows: allRows,
      thumbs,
      filters,
      plots,
      screenshot: { path: screenshotPath, bytes: bytes.length },
    };
  } finally {
    await page.close();
  }
}

if (import.meta.main) {
  const [report, screenshot] = Deno.args;
  console.log(JSON.stringify(await main(report, screenshot)));
}
