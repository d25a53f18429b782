import assert from "node:assert/strict";
import { readShardFiles } from "../../src/cli/merge_provenance.ts";

Deno.test("readShardFiles names a missing directory or a file in one short line", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(
      () => readShardFiles(`${dir}/nope`),
      (e: Error) => e.message === `Cannot read directory "${dir}/nope": no such directory`,
    );
    await Deno.writeTextFile(`${dir}/f`, "");
    await assert.rejects(
      () => readShardFiles(`${dir}/f`),
      (e: Error) => e.message === `Cannot read directory "${dir}/f": not a directory`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
