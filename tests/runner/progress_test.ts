import assert from "node:assert/strict";
import process from "node:process";
import { createProgress } from "../../src/runner/progress.ts";

Deno.test("createProgress lines mode prints failures and a final done/total line", () => {
  const lines: string[] = [];
  const p = createProgress(3, "lines", { intervalMs: 1e9, write: (l) => lines.push(l) });
  p.tick(true);
  p.tick(false, 'medprep: subject "b" failed');
  p.note("medprep: SIGINT");
  p.tick(true);
  p.stop();
  assert.equal(lines[0], 'medprep: subject "b" failed');
  assert.equal(lines[1], "medprep: SIGINT");
  assert.match(lines[2], /^medprep: 3\/3 subjects, 1 failed, [\d.]+\/s, ETA 0s$/);
  assert.equal(lines.length, 3);
});

Deno.test("createProgress quiet mode prints nothing (failures go to the final summary)", () => {
  const lines: string[] = [];
  const p = createProgress(2, "quiet", { write: (l) => lines.push(l) });
  p.tick(false, "failed");
  p.note("note");
  p.tick(true);
  p.stop();
  assert.deepEqual(lines, []);
});

Deno.test("createProgress bar mode shows a readable ETA after a failure line restarts the bar", async () => {
  const out: string[] = [];
  const stderr = process.stderr as unknown as { isTTY: boolean; write: unknown };
  const [write, tty] = [stderr.write, stderr.isTTY];
  stderr.isTTY = true;
  stderr.write = (s: unknown) => out.push(String(s)) > 0;
  try {
    const p = createProgress(4, "bar", { write: (l) => out.push(l + "\n") });
    await new Promise((r) => setTimeout(r, 30));
    p.tick(false, 'medprep: subject "a" failed');
    await new Promise((r) => setTimeout(r, 400)); // the bar redraws on its own timer meanwhile
    p.tick(true);
    p.stop();
  } finally {
    [stderr.write, stderr.isTTY] = [write, tty];
  }
  const etas = out.join("").match(/ETA \S+/g) ?? [];
  assert.ok(etas.length >= 3, out.join(""));
  for (const eta of etas) assert.match(eta, /^ETA (\?|\d+s|\d+m|[\d.]+h)$/);
});
