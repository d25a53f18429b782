import assert from "node:assert/strict";
import { createJournal, journalPathOf, readJournal } from "../../src/provenance/journal.ts";
import type { ProvenanceHeader } from "../../src/provenance/header.ts";
import type { SubjectRecord } from "../../src/provenance/types.ts";

const HEADER = {
  tool: { name: "medprep", version: "0", git: null, source: { sha256: "ab", files: 1 } },
  recipe: {
    path: "/r.yaml",
    sha256: "cd",
    git: null,
    resolved: { version: 1, name: "r", seed: 1, steps: [] },
  },
} as unknown as ProvenanceHeader;

const record = (id: string): SubjectRecord => ({
  id,
  row: 1,
  status: "done",
  inputs: [],
  steps: [],
  outputs: [{
    role: "image",
    copy: 0,
    path: `${id}.nii`,
    sha256: "ef",
    size: 3,
    dtype: "int16",
    dtypeReason: "",
    clamped: 0,
  }],
  warnings: [],
});

Deno.test("journalPathOf names the journal after its provenance file (per shard)", () => {
  assert.equal(journalPathOf("/o/provenance.json"), "/o/provenance.journal.jsonl");
  assert.equal(
    journalPathOf("/o/provenance.shard-2-of-3.json"),
    "/o/provenance.shard-2-of-3.journal.jsonl",
  );
});

Deno.test("createJournal writes the header and kept records, append adds one line each", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/provenance.journal.jsonl`;
    await Deno.writeTextFile(path, "an older journal\n");
    const journal = await createJournal(path, { header: HEADER, started: "t0" }, [record("a")]);
    journal.append(record("b"));
    const text = await Deno.readTextFile(path);
    assert.equal(text.split("\n").length, 4); // header, a, b, ""
    const read = await readJournal(path);
    assert.equal(read.problem, undefined);
    assert.deepEqual(read.journal?.records.map((r) => r.id), ["a", "b"]);
    assert.equal(read.journal?.started, "t0");
    assert.deepEqual(read.journal?.header, JSON.parse(JSON.stringify(HEADER)));
    // A kill in the middle of a write leaves a line without its newline: not a record.
    await Deno.writeTextFile(path, text + '{"subject": {"id": "c", "sta');
    assert.deepEqual((await readJournal(path)).journal?.records.map((r) => r.id), ["a", "b"]);
    await journal.remove();
    assert.deepEqual(await readJournal(path), { journal: null, problem: null });
    assert.deepEqual([...Deno.readDirSync(dir)], []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readJournal names what is wrong with a damaged journal", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/j.jsonl`;
    const journal = await createJournal(path, { header: HEADER, started: "t0" }, [record("a")]);
    journal.close();
    const lines = (await Deno.readTextFile(path)).split("\n");
    await Deno.writeTextFile(path, [lines[0], "{oops", lines[1], ""].join("\n"));
    assert.match((await readJournal(path)).problem!, /^line 2: not valid JSON/);
    await Deno.writeTextFile(path, [lines[0], '{"subject": {"id": 3}}', ""].join("\n"));
    assert.equal((await readJournal(path)).problem, "line 2: subject.id is not a string");
    await Deno.writeTextFile(path, ['{"x": 1}', ""].join("\n"));
    assert.equal((await readJournal(path)).problem, "line 1: not a medprep journal header");
    await Deno.writeTextFile(path, "");
    assert.equal((await readJournal(path)).problem, "empty journal (no header line)");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("append writes its line at once and never blocks on fsync; the fsyncs are grouped", async () => {
  const dir = await Deno.makeTempDir();
  const proto = Deno.FsFile.prototype;
  const { syncData, syncDataSync } = proto;
  let blocking = 0, background = 0;
  proto.syncDataSync = function () {
    blocking++;
    return syncDataSync.call(this);
  };
  proto.syncData = function () {
    background++;
    return syncData.call(this);
  };
  try {
    const path = `${dir}/provenance.journal.jsonl`;
    const journal = await createJournal(path, { header: HEADER, started: "t0" }, []);
    const ids = Array.from({ length: 50 }, (_, i) => `s${i}`);
    for (const id of ids) journal.append(record(id));
    // Every line is in the file as soon as append returns (a kill -9 cannot lose it) …
    assert.deepEqual((await readJournal(path)).journal?.records.map((r) => r.id), ids);
    // … and no append waited for the disk on the main thread (it did once per subject).
    assert.equal(blocking, 0);
    await journal.flush();
    // 50 quick appends: one fsync in flight, the other lines grouped into the next one.
    assert.ok(background >= 1 && background <= 2, `${background} fsyncs for 50 appends`);
    journal.append(record("late"));
    await journal.flush();
    assert.ok(background <= 3, `${background} fsyncs`);
    await journal.remove();
    assert.deepEqual([...Deno.readDirSync(dir)], []);
  } finally {
    proto.syncData = syncData;
    proto.syncDataSync = syncDataSync;
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("close while an fsync is in flight closes the file once it is done", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/provenance.journal.jsonl`;
    const journal = await createJournal(path, { header: HEADER, started: "t0" }, []);
    journal.append(record("a"));
    journal.append(record("b"));
    journal.close(); // an fsync is in flight: the descriptor is closed after it (and b's)
    journal.append(record("c")); // after close: ignored
    await journal.flush();
    assert.deepEqual((await readJournal(path)).journal?.records.map((r) => r.id), ["a", "b"]);
    journal.close(); // idempotent
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
