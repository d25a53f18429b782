import assert from "node:assert/strict";
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
