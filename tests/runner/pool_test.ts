import assert from "node:assert/strict";
import { createPool, deriveWorkerPermissions } from "../../src/runner/pool.ts";
import type { SubjectRecord } from "../../src/provenance/types.ts";

const WORKER = new URL("./_crash_worker.ts", import.meta.url);
const init = {
  recipe: { version: 1, name: "t", seed: 0, steps: [] },
  outDir: "/nonexistent",
  stagingDir: "/nonexistent/.stage",
  maxInputBytes: 1,
};
const permissions: Deno.PermissionOptionsObject = {
  read: false,
  write: false,
  net: false,
  env: false,
  run: false,
  sys: false,
  ffi: false,
};
const job = (id: string, row: number) => ({ id, row, paths: {} });

Deno.test("createPool replaces a crashed worker and marks only its subject failed", async () => {
  const pool = createPool({ size: 2, init, permissions, workerUrl: WORKER });
  const records: SubjectRecord[] = [];
  const ids = ["a", "boom", "b", "c", "d"];
  const left = await pool.run(ids.map((id, i) => job(id, i + 1)), (r) => records.push(r));
  assert.deepEqual(left, []);
  const byId = new Map(records.map((r) => [r.id, r]));
  assert.deepEqual([...byId.keys()].sort(), ["a", "b", "boom", "c", "d"]);
  assert.equal(byId.get("boom")!.status, "failed");
  assert.match(byId.get("boom")!.error!.message, /Worker crashed: .*simulated crash/);
  for (const id of ["a", "b", "c", "d"]) {
    assert.equal(byId.get(id)!.status, "done");
    assert.deepEqual(byId.get(id)!.warnings, [], "workers must not write outside their grant");
  }
});

Deno.test("createPool stop() reports in-flight subjects interrupted and returns the rest", async () => {
  const pool = createPool({ size: 1, init, permissions, workerUrl: WORKER });
  const records: SubjectRecord[] = [];
  const running = pool.run([job("a", 1), job("hang", 2), job("b", 3)], (r) => {
    records.push(r);
  });
  while (records.length < 1) await new Promise((r) => setTimeout(r, 5));
  await new Promise((r) => setTimeout(r, 50));
  pool.stop();
  const left = await running;
  assert.deepEqual(records.map((r) => [r.id, r.status]), [["a", "done"], ["hang", "interrupted"]]);
  assert.deepEqual(left.map((j) => j.id), ["b"]);
});

Deno.test("createPool with no jobs resolves at once", async () => {
  const pool = createPool({ size: 3, init, permissions, workerUrl: WORKER });
  assert.deepEqual(await pool.run([], () => {}), []);
});

Deno.test("deriveWorkerPermissions grants reading inputs + output dir and writing only the output dir", () => {
  const p = deriveWorkerPermissions("/out", [
    { id: "a", row: 1, paths: { image: "/in/a.nii", label: "/in/a_seg.nii" } },
    { id: "b", row: 2, paths: { image: "/in/b.nii", label: "/in/a_seg.nii" } },
  ]);
  assert.deepEqual(p, {
    read: ["/out", "/in/a.nii", "/in/a_seg.nii", "/in/b.nii"],
    write: ["/out"],
    net: false,
    env: false,
    run: false,
    sys: false,
    ffi: false,
  });
});

Deno.test("deriveWorkerPermissions grants FFI for the given libdeflate file only (issue 15.1)", () => {
  const jobs = [{ id: "a", row: 1, paths: { image: "/in/a.nii.gz" } }];
  const lib = "/usr/lib/x86_64-linux-gnu/libdeflate.so.0";
  assert.deepEqual(deriveWorkerPermissions("/out", jobs, [], lib).ffi, [lib]);
  assert.equal(deriveWorkerPermissions("/out", jobs, []).ffi, false);
  assert.deepEqual(deriveWorkerPermissions("/out", jobs, [], lib).write, ["/out"]);
});

Deno.test("deriveWorkerPermissions grants reading the resolved other half of .hdr/.img pairs", () => {
  const p = deriveWorkerPermissions("/out", [
    { id: "a", row: 1, paths: { image: "/in/a.hdr" }, pairs: { "/in/a.hdr": "/in/a.img" } },
    { id: "b", row: 2, paths: { image: "/in/b.hdr" } }, // unresolved: nothing more
  ]);
  assert.deepEqual(p.read, ["/out", "/in/a.hdr", "/in/a.img", "/in/b.hdr"]);
});
