import assert from "node:assert/strict";
import { ManifestError } from "../../src/errors.ts";
import { acquireOutputLock, lockFileName } from "../../src/runner/lock.ts";

const quiet = { warn: () => {} };

Deno.test("acquireOutputLock: one holder per scope; shards of one count share a folder", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "medprep-lock-" }));
  try {
    const whole = acquireOutputLock(dir, null, quiet);
    assert.equal(whole.path, `${dir}/.medprep.lock`);
    const info = JSON.parse(await Deno.readTextFile(whole.path));
    assert.equal(info.pid, Deno.pid);
    assert.equal(typeof info.host, "string");
    assert.ok(!Number.isNaN(Date.parse(info.started)));
    assert.throws(() => acquireOutputLock(dir, null, quiet), ManifestError);
    assert.throws(
      () => acquireOutputLock(dir, { index: 1, count: 2 }, quiet),
      /another medprep run .*is writing to this folder/,
    );
    whole.release();
    assert.ok(!(await Deno.stat(whole.path).then(() => true, () => false)), "removed");
    const a = acquireOutputLock(dir, { index: 1, count: 2 }, quiet);
    const b = acquireOutputLock(dir, { index: 2, count: 2 }, quiet);
    assert.equal(b.path, `${dir}/${lockFileName({ index: 2, count: 2 })}`);
    assert.throws(() => acquireOutputLock(dir, { index: 1, count: 2 }, quiet), ManifestError);
    assert.throws(() => acquireOutputLock(dir, { index: 1, count: 3 }, quiet), /of shard [12]\/2 /);
    assert.throws(() => acquireOutputLock(dir, null, quiet), ManifestError);
    a.release();
    b.release();
    {
      using _again = acquireOutputLock(dir, null, quiet);
    }
    const left = [];
    for await (const e of Deno.readDir(dir)) left.push(e.name);
    assert.deepEqual(left, [], "no lock or temp file left");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
