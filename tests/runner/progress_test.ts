import assert from "node:assert/strict";
import { createProgress, renderBar } from "../../src/runner/progress.ts";
import { createTerminal } from "./_terminal.ts";

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

Deno.test("renderBar keeps the counts and the ETA whole at 50 columns (and at 30)", () => {
  for (const columns of [50, 30]) {
    for (
      const [done, total, failed, warnings, eta] of [
        [0, 3, 0, 0, Infinity],
        [999, 1000, 3, 0, 12],
        [123456, 999999, 12345, 678, 7200],
        [5, 8, 0, 2, 95],
      ]
    ) {
      const line = renderBar(
        { done, total, failed, warnings, rate: 12345.678, etaSeconds: eta },
        columns,
      );
      assert.ok(line.length <= columns - 1, `${columns}: ${line} (${line.length})`);
      assert.ok(line.includes(`${done}/${total}`), line);
      assert.match(line, /ETA (\?|\d+s|\d+m|[\d.]+h)( |$)/, line);
      if (columns === 50 && warnings > 0 && total < 1e5) assert.match(line, /warnings \d+/, line);
    }
  }
  // Wide terminals get a bar of at most 40 cells, its fill proportional to done/total.
  const wide = renderBar(
    { done: 1, total: 4, failed: 0, warnings: 0, rate: 1, etaSeconds: 3 },
    120,
  );
  assert.match(wide, /^█{10}░{30} 1\/4 \| 1\.00\/s \| ETA 3s \| failed 0$/);
});

Deno.test("createProgress bar mode at 50 columns: warnings and failures leave no stale bar line", () => {
  const term = createTerminal(50);
  const p = createProgress(1000, "bar", { writeRaw: (t) => term.write(t), columns: () => 50 });
  for (let i = 0; i < 500; i++) p.tick(true);
  p.warn('medprep: warning: subject "a": std = 0');
  p.tick(false, 'medprep: subject "b" failed');
  p.note("medprep: SIGTERM: stopping");
  for (let i = 0; i < 498; i++) p.tick(true);
  const live = term.screen();
  assert.deepEqual(live.slice(0, -1), [
    'medprep: warning: subject "a": std = 0',
    'medprep: subject "b" failed',
    "medprep: SIGTERM: stopping",
  ]);
  const bar = live[live.length - 1];
  assert.ok(bar.length <= 49, bar);
  assert.match(bar, /999\/1000 .*ETA \S+ .*failed 1 .*warnings 1$/);
  p.stop();
  // The bar is erased at the end: the summary line takes its place.
  assert.deepEqual(term.screen(), live.slice(0, -1));
  assert.equal(p.warnings, 1);
});

Deno.test("createProgress counts warnings in every mode; quiet prints none of them", () => {
  const lines: string[] = [];
  const record = (l: string) => void lines.push(l);
  const quiet = createProgress(2, "quiet", { write: record });
  quiet.warn("medprep: warning: one");
  quiet.warn("medprep: warning: two");
  quiet.tick(true);
  quiet.stop();
  assert.deepEqual(lines, []);
  assert.equal(quiet.warnings, 2);
  const plain = createProgress(1, "lines", { intervalMs: 1e9, write: record });
  plain.warn("medprep: warning: three");
  plain.tick(true);
  plain.stop();
  assert.equal(lines[0], "medprep: warning: three");
  assert.match(lines[1], /^medprep: 1\/1 subjects, 0 failed, 1 warning, [\d.]+\/s, ETA 0s$/);
});
