import assert from "node:assert/strict";
import { mergeProvenance } from "../../src/provenance/merge.ts";
import type { Provenance, SubjectRecord } from "../../src/provenance/types.ts";

const subject = (id: string, status: SubjectRecord["status"] = "done"): SubjectRecord => ({
  id,
  row: 1,
  status,
  inputs: [],
  steps: [],
  outputs: [],
  warnings: [],
});

function shard(index: number, count: number, ids: string[], all: string[]): Provenance {
  return {
    tool: { name: "medprep", version: "0" },
    deno: { deno: "2", v8: "x", typescript: "y" },
    recipe: {
      path: "/r.yaml",
      sha256: "abc",
      git: null,
      resolved: { version: 1, name: "r", seed: 0, steps: [] },
    },
    seed: 0,
    manifest: { path: "/m.csv", glob: null, sha256: "def", kind: "csv" },
    command: ["medprep", "run"],
    shard: { index, count, assigned: ids, all },
    started: `2026-01-0${index}T00:00:00.000Z`,
    finished: `2026-01-0${index}T01:00:00.000Z`,
    status: "complete",
    subjects: ids.map((id) => subject(id)),
  };
}

Deno.test("mergeProvenance combines shards sorted by id with no problems", () => {
  const all = ["a", "b", "c", "d"];
  const { merged, problems } = mergeProvenance([
    { file: "s2", provenance: shard(2, 2, ["b", "d"], all) },
    { file: "s1", provenance: shard(1, 2, ["a", "c"], all) },
  ], ["medprep", "merge-provenance", "x"]);
  assert.deepEqual(problems, []);
  assert.deepEqual(merged.subjects.map((s) => s.id), all);
  assert.equal(merged.shard, null);
  assert.equal(merged.status, "complete");
  assert.equal(merged.started, "2026-01-01T00:00:00.000Z");
  assert.equal(merged.finished, "2026-01-02T01:00:00.000Z");
});

Deno.test("mergeProvenance reports missing shards, missing and duplicated subjects", () => {
  const all = ["a", "b", "c", "d", "e"];
  const s1 = shard(1, 3, ["a", "d"], all);
  const s2 = shard(2, 3, ["b", "d"], all);
  s2.subjects[0] = subject("b", "failed");
  const { merged, problems } = mergeProvenance([
    { file: "s1", provenance: s1 },
    { file: "s2", provenance: s2 },
  ], []);
  assert.deepEqual(problems, [
    "Shard 3 of 3 is missing",
    'Subject "d" is in both "s1" and "s2"',
    'Subject "c" is in no shard',
    'Subject "e" is in no shard',
    'Subject "b" is failed',
  ]);
  assert.equal(merged.status, "interrupted");
});

Deno.test("mergeProvenance refuses shards of different recipes", () => {
  const a = shard(1, 2, ["a"], ["a", "b"]);
  const b = shard(2, 2, ["b"], ["a", "b"]);
  b.recipe = { ...b.recipe, sha256: "other" };
  const { problems } = mergeProvenance(
    [{ file: "A", provenance: a }, { file: "B", provenance: b }],
    [],
  );
  assert.deepEqual(problems, ['Cannot merge "B": recipe differs from "A"']);
});
