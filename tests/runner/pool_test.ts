import assert from "node:assert/strict";
import { createPool, deriveWorkerPermissions } from "../../src/runner/pool.ts";
import { serveDeflateHelper } from "../../src/nifti/deflate_helper.ts";
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

Deno.test("createPool grants each worker only its group's files; a worker for the next group takes over", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const files = [0, 1, 2, 3, 4].map((i) => `${dir}/f${i}.nii`);
    for (const f of files) await Deno.writeTextFile(f, "x");
    const probe = files.join("|");
    const jobs = files.map((f, i) => ({
      id: `j${i}`,
      row: i + 2,
      paths: { image: f },
      metadata: { probe },
    }));
    const groups: string[][] = [];
    const pool = createPool({
      size: 2,
      init,
      groupSize: 2,
      permissions: (group) => {
        groups.push(group.map((j) => j.id));
        return deriveWorkerPermissions(`${dir}/stage`, group);
      },
      workerUrl: new URL("./_read_worker.ts", import.meta.url),
    });
    const records: SubjectRecord[] = [];
    assert.deepEqual(await pool.run(jobs, (r) => records.push(r)), []);
    assert.deepEqual(groups, [["j0", "j1"], ["j2", "j3"], ["j4"]]);
    const readable = Object.fromEntries(records.map((r) => [r.id, r.warnings]));
    assert.deepEqual(readable, {
      j0: [files[0], files[1]],
      j1: [files[0], files[1]],
      j2: [files[2], files[3]],
      j3: [files[2], files[3]],
      j4: [files[4]],
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("createPool hands each new worker's first job the buffers prepared while it started (issue 15.1)", async () => {
  const jobs = [0, 1, 2, 3, 4].map((i) => ({ ...job(`j${i}`, i + 2), metadata: { probe: "" } }));
  const prepared: { id: string; buffer: ArrayBuffer; taken: number }[] = [];
  const pool = createPool({
    size: 2,
    init,
    groupSize: 2,
    permissions: () => permissions,
    workerUrl: new URL("./_read_worker.ts", import.meta.url),
    firstBuffers: (j) => {
      const entry = { id: j.id, buffer: new ArrayBuffer(1000 + j.row), taken: 0 };
      prepared.push(entry);
      return {
        take: () => {
          entry.taken++;
          return { buffers: [entry.buffer], reads: [] };
        },
      };
    },
  });
  const records: SubjectRecord[] = [];
  assert.deepEqual(await pool.run(jobs, (r) => records.push(r)), []);
  // The two first workers were prepared for j0 and j1; a worker started for a later group, for
  // the next job no other starting worker will take (none when there is none left).
  const ids = prepared.map((p) => p.id);
  assert.deepEqual(ids.slice(0, 2), ["j0", "j1"]);
  assert.equal(new Set(ids).size, ids.length);
  assert.ok(ids.length >= 3, ids.join()); // group 1 (j2, j3) needed at least one new worker
  // Every prepared set was taken once: sent with a job (moved: detached here, not copied), or
  // dropped with a worker that was stopped before it got a job.
  for (const p of prepared) assert.equal(p.taken, 1, p.id);
  const sizes = new Map(prepared.map((p) => [`buffer ${1000 + Number(p.id.slice(1)) + 2}`, p]));
  const received = records.flatMap((r) => r.warnings);
  assert.ok(received.length >= 2, received.join());
  assert.equal(new Set(received).size, received.length);
  for (const r of received) assert.equal(sizes.get(r)?.buffer.byteLength, 0, r);
  // Only a worker's first job carries them: at most one job per prepared set.
  assert.ok(records.filter((r) => r.warnings.length > 0).length <= prepared.length);
});

Deno.test("createPool moves the reads prepared for a worker's first job to it with that job", async () => {
  const jobs = [0, 1, 2].map((i) => ({ ...job(`j${i}`, i + 2), metadata: { probe: "" } }));
  const buffer = new ArrayBuffer(3000);
  const pool = createPool({
    size: 1,
    init,
    permissions,
    workerUrl: new URL("./_read_worker.ts", import.meta.url),
    firstBuffers: () => ({
      take: () => ({
        buffers: [],
        reads: [{
          path: "/in/ct.nii.gz",
          maxBytes: 1,
          // deno-lint-ignore no-explicit-any
          description: { shape: [10, 10, 10] } as any,
          buffer,
          files: [],
        }],
      }),
    }),
  });
  const records: SubjectRecord[] = [];
  assert.deepEqual(await pool.run(jobs, (r) => records.push(r)), []);
  const byId = new Map(records.map((r) => [r.id, r.warnings]));
  assert.deepEqual(byId.get("j0"), ["read /in/ct.nii.gz 3000"]);
  assert.deepEqual(byId.get("j1"), []);
  assert.deepEqual(byId.get("j2"), []);
  assert.equal(buffer.byteLength, 0); // moved, not copied
});

Deno.test("createPool gives each worker its own deflate helper when asked, and stops it with the worker", async () => {
  const jobs = [0, 1, 2].map((i) => ({ ...job(`j${i}`, i + 2), metadata: { probe: "" } }));
  let started = 0, stopped = 0;
  const counted = () => {
    const helper = serveDeflateHelper();
    started++;
    return { buffers: helper.buffers, stop: () => (stopped++, helper.stop()) };
  };
  for (const deflateHelpers of [counted, false]) {
    const pool = createPool({
      size: 2,
      init,
      permissions,
      deflateHelpers,
      workerUrl: new URL("./_read_worker.ts", import.meta.url),
    });
    const records: SubjectRecord[] = [];
    assert.deepEqual(await pool.run(jobs, (r) => records.push(r)), []);
    for (const r of records) {
      assert.deepEqual(r.warnings, deflateHelpers ? ["deflate helper"] : [], r.id);
    }
  }
  // One per worker, each stopped with its worker.
  assert.equal(started, 2);
  assert.ok(stopped >= started, `${stopped} stops of ${started} helpers`);
});

Deno.test("createPool takes jobs from its queue in O(1) each (no Array.shift of a long queue)", async () => {
  const shift = Array.prototype.shift;
  let longShifts = 0;
  Array.prototype.shift = function (this: unknown[]) {
    if (this.length > 1000) longShifts++;
    return shift.call(this);
  };
  try {
    const pool = createPool({ size: 2, init, permissions, workerUrl: WORKER });
    const ids = Array.from({ length: 3000 }, (_, i) => `s${i}`);
    const records: SubjectRecord[] = [];
    assert.deepEqual(
      await pool.run(ids.map((id, i) => job(id, i + 2)), (r) => records.push(r)),
      [],
    );
    assert.equal(records.length, 3000);
    // Array.shift moves every element of a long array: 100,000 jobs took 10 s of main thread.
    assert.equal(longShifts, 0);
  } finally {
    Array.prototype.shift = shift;
  }
});
