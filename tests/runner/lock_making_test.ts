import assert from "node:assert/strict";
import { acquireOutputLock } from "../../src/runner/lock.ts";

const quiet = { warn: () => {} };

Deno.test("a lock another run is making (two names for an instant, locked) is a live run, never 'a hard link'", async () => {
  // acquireOutputLock writes its lock aside, locks it, links it into place and then removes the
  // aside name: a shard starting at that instant sees a lock file with two names. It must be
  // taken as the live run it is (a wait or a refusal for the live run), not as a user's hard link.
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "medprep-lock-" }));
  try {
    const aside = `${dir}/.medprep-tmp-lock-making`;
    const making = Deno.openSync(aside, { read: true, write: true, createNew: true });
    making.tryLockSync(true);
    making.writeSync(new TextEncoder().encode(JSON.stringify({
      pid: Deno.pid,
      host: Deno.hostname(),
      started: new Date().toISOString(),
    })));
    Deno.linkSync(aside, `${dir}/.medprep.lock`);
    try {
      assert.throws(() => acquireOutputLock(dir, null, quiet), (e: Error) => {
        assert.match(e.message, /is writing to this folder/);
        assert.doesNotMatch(e.message, /hard link/);
        return true;
      });
      assert.throws(() => acquireOutputLock(dir, { index: 1, count: 2 }, quiet), (e: Error) => {
        assert.match(e.message, /is writing to this folder/);
        assert.doesNotMatch(e.message, /hard link/);
        return true;
      });
    } finally {
      making.close();
    }
    // Nobody holds it now and its run is gone: a stale lock with two names is another file's
    // name, never written.
    const child = new Deno.Command("true").spawn();
    await child.status;
    const stale = JSON.stringify({ pid: child.pid, host: Deno.hostname(), started: "x" });
    // The other name is a user's file now (not medprep's aside name).
    const users = `${dir}/users-file`;
    Deno.renameSync(aside, users);
    Deno.writeTextFileSync(users, stale);
    const before = Deno.readTextFileSync(users);
    assert.throws(() => acquireOutputLock(dir, null, quiet), /hard link/);
    assert.equal(Deno.readTextFileSync(users), before);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a lock left with its aside name by a run killed in between is taken over, the aside removed", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "medprep-lock-" }));
  try {
    const child = new Deno.Command("true").spawn();
    await child.status;
    const aside = `${dir}/.medprep-tmp-lock-0123abcd`;
    Deno.writeTextFileSync(
      aside,
      JSON.stringify({ pid: child.pid, host: Deno.hostname(), started: "x" }),
    );
    Deno.linkSync(aside, `${dir}/.medprep.lock`);
    const warned: string[] = [];
    const lock = acquireOutputLock(dir, null, { warn: (l) => warned.push(l) });
    assert.match(warned.join("\n"), /taking over the stale lock/);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), [".medprep.lock"]);
    assert.equal(JSON.parse(Deno.readTextFileSync(`${dir}/.medprep.lock`)).pid, Deno.pid);
    lock.release();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
