import assert from "node:assert/strict";
import { parseShard, provenanceFileName, selectShard } from "../../src/runner/shard.ts";

const env = (vars: Record<string, string>) => (name: string) => vars[name];

Deno.test("parseShard reads I/N and rejects bad values", () => {
  assert.deepEqual(parseShard("2/3", { env: env({}) }), { index: 2, count: 3 });
  assert.throws(() => parseShard("0/3", { env: env({}) }), /between 1 and 3/);
  assert.throws(() => parseShard("4/3", { env: env({}) }), /between 1 and 3/);
  assert.throws(() => parseShard("2-3", { env: env({}) }), /write it as I\/N/);
});

Deno.test("parseShard auto uses SLURM array variables (MIN/MAX or COUNT)", () => {
  const a = env({ SLURM_ARRAY_TASK_ID: "5", SLURM_ARRAY_TASK_MIN: "4", SLURM_ARRAY_TASK_MAX: "7" });
  assert.deepEqual(parseShard("auto", { env: a }), { index: 2, count: 4 });
  const b = env({
    SLURM_ARRAY_TASK_ID: "0",
    SLURM_ARRAY_TASK_MIN: "0",
    SLURM_ARRAY_TASK_COUNT: "3",
  });
  assert.deepEqual(parseShard("auto", { env: b }), { index: 1, count: 3 });
  assert.throws(
    () => parseShard("auto", { env: env({ SLURM_ARRAY_TASK_ID: "1" }) }),
    /--shard-count/,
  );
});

Deno.test("parseShard auto uses JOB_COMPLETION_INDEX with --shard-count", () => {
  const k = env({ JOB_COMPLETION_INDEX: "2" });
  assert.deepEqual(parseShard("auto", { env: k, shardCount: 3 }), { index: 3, count: 3 });
  assert.throws(() => parseShard("auto", { env: k }), /--shard-count/);
  assert.throws(() => parseShard("auto", { env: k, shardCount: 2 }), /between 1 and 2/);
  assert.throws(() => parseShard("auto", { env: env({}) }), /neither SLURM_ARRAY_TASK_ID/);
});

Deno.test("selectShard splits sorted ids into disjoint, covering, order-independent parts", () => {
  const ids = ["s07", "s01", "s10", "s03", "s02", "s05", "s04"];
  const parts = [1, 2, 3].map((index) => selectShard(ids, { index, count: 3 }));
  assert.deepEqual(parts[0], ["s01", "s04", "s10"]);
  assert.deepEqual(parts.flat().sort(), [...ids].sort());
  assert.deepEqual(selectShard([...ids].reverse(), { index: 2, count: 3 }), parts[1]);
});

Deno.test("provenanceFileName names shard files", () => {
  assert.equal(provenanceFileName(null), "provenance.json");
  assert.equal(provenanceFileName({ index: 2, count: 5 }), "provenance.shard-2-of-5.json");
});
