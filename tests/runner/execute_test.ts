import assert from "node:assert/strict";
import { executeJobs } from "../../src/runner/execute.ts";

const init = {
  recipe: { version: 1, name: "t", seed: 0, steps: [] },
  outDir: "/nonexistent",
  stagingDir: "/nonexistent/.stage",
  maxInputBytes: 1,
};
const permissions: Deno.PermissionOptionsObject = { read: false, write: false, net: false };
const job = (id: string, row: number) => ({ id, row, paths: {} });

Deno.test("executeJobs collects one record per job, crashed subjects failed", async () => {
  const ex = await executeJobs([job("a", 1), job("boom", 2), job("b", 3)], {
    size: 2,
    init,
    permissions,
    progress: "quiet",
    workerUrl: new URL("./_crash_worker.ts", import.meta.url),
  });
  ex.release();
  assert.equal(ex.interrupted, false);
  const status = Object.fromEntries(ex.records.map((r) => [r.id, r.status]));
  assert.deepEqual(status, { a: "done", boom: "failed", b: "done" });
});

Deno.test("executeJobs marks every subject failed when no worker can start", async () => {
  const errors: string[] = [];
  const original = console.error;
  console.error = (m: string) => errors.push(m);
  try {
    const ex = await executeJobs([job("a", 1), job("b", 2)], {
      size: 1,
      init,
      permissions,
      progress: "quiet",
      workerUrl: new URL("./_broken_worker.ts", import.meta.url),
    });
    ex.release();
    assert.deepEqual(ex.records.map((r) => [r.id, r.status]), [["a", "failed"], ["b", "failed"]]);
    assert.match(
      ex.records[0].error!.message,
      /^Cannot start a runner worker: .*simulated start-up failure/,
    );
    assert.match(errors.join("\n"), /Cannot start a runner worker/);
  } finally {
    console.error = original;
  }
});

Deno.test("executeJobs does not count subjects stopped by an interrupt as done or failed", async () => {
  const lines: string[] = [];
  const original = Deno.stderr.writeSync;
  Deno.stderr.writeSync = (p: Uint8Array) => {
    lines.push(new TextDecoder().decode(p));
    return p.length;
  };
  try {
    const running = executeJobs([job("a", 1), job("hang", 2)], {
      size: 2,
      init,
      permissions,
      progress: "lines",
      workerUrl: new URL("./_crash_worker.ts", import.meta.url),
    });
    await new Promise((r) => setTimeout(r, 500)); // "a" done, "hang" in flight
    Deno.kill(Deno.pid, "SIGTERM"); // (deno test handles SIGINT itself)
    const ex = await running;
    ex.release();
    assert.equal(ex.interrupted, true);
    const status = Object.fromEntries(ex.records.map((r) => [r.id, r.status]));
    assert.deepEqual(status, { a: "done", hang: "interrupted" });
    assert.doesNotMatch(lines.join(""), /2\/2 subjects|1 failed/, lines.join(""));
  } finally {
    Deno.stderr.writeSync = original;
  }
});
