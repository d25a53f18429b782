import assert from "node:assert/strict";
import { summarizeRun } from "../../src/runner/summary.ts";
import type { Provenance } from "../../src/provenance/types.ts";

function provenance(warnings: string[][]): Provenance {
  return {
    subjects: warnings.map((w, i) => ({
      id: `s${i}`,
      row: i + 1,
      status: "done",
      inputs: [],
      steps: [],
      outputs: [],
      warnings: w,
    })),
  } as unknown as Provenance;
}

function captureStderr(fn: () => number): { code: number; stderr: string[] } {
  const stderr: string[] = [];
  const original = console.error;
  console.error = (...a: unknown[]) => stderr.push(a.join(" "));
  try {
    return { code: fn(), stderr };
  } finally {
    console.error = original;
  }
}

Deno.test("summarizeRun counts the warnings of every subject in its summary line", () => {
  const log: string[] = [];
  const { code, stderr } = captureStderr(() =>
    summarizeRun(provenance([["a", "b"], [], ["c"]]), "out/provenance.json", {
      log: (l) => log.push(l),
      interrupted: false,
    })
  );
  assert.equal(code, 0);
  assert.deepEqual(log, [
    "medprep: 3 done, 0 failed, 0 not finished, 3 warnings; provenance: out/provenance.json",
  ]);
  assert.deepEqual(stderr, []);
});

Deno.test("summarizeRun with --quiet prints no counts line but keeps the warning count", () => {
  const { stderr } = captureStderr(() =>
    summarizeRun(provenance([["a"], []]), "out/provenance.json", {
      log: () => {},
      interrupted: false,
      quiet: true,
    })
  );
  assert.deepEqual(stderr, [
    "medprep: 1 warning (not shown with --quiet; each is in out/provenance.json)",
  ]);
  const none = captureStderr(() =>
    summarizeRun(provenance([[]]), "p.json", { log: () => {}, interrupted: false, quiet: true })
  );
  assert.deepEqual(none.stderr, []);
});
