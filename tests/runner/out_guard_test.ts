import assert from "node:assert/strict";
import { createOutDirGuard, OutDirMovedError, removeConfined } from "../../src/runner/confine.ts";
import { createPublisher, stagedPathOf } from "../../src/runner/staging.ts";
import type { SubjectRecord } from "../../src/provenance/types.ts";

Deno.test("createOutDirGuard throws once --out is a link or another folder; removeConfined and publish then touch nothing", async () => {
  const root = await Deno.realPath(await Deno.makeTempDir());
  try {
    const out = `${root}/out`, victim = `${root}/victim`, stage = `${out}/stage`;
    await Deno.mkdir(stage, { recursive: true });
    await Deno.mkdir(`${victim}/stage`, { recursive: true });
    const guard = createOutDirGuard(out);
    guard();
    const record = {
      id: "a",
      row: 2,
      status: "done",
      outputs: [{ path: "a.nii", role: "image", copy: 0, sha256: "x", size: 1 }],
    } as unknown as SubjectRecord;
    await Deno.writeTextFile(stagedPathOf(`${victim}/stage`, "a.nii"), "staged");
    await Deno.writeTextFile(`${victim}/mine.txt`, "mine");
    await Deno.rename(out, `${root}/out.real`);
    await Deno.symlink(victim, out);
    assert.throws(guard, (e) => e instanceof OutDirMovedError && e.message.includes(victim));
    assert.equal(removeConfined(out, `${out}/mine.txt`), false);
    for (const publisher of [createPublisher(out, stage), createPublisher(out, stage, { guard })]) {
      assert.throws(() => publisher.publish(record), OutDirMovedError);
      assert.throws(() => publisher.publish({ ...record, status: "failed" }), OutDirMovedError);
    }
    assert.deepEqual([...Deno.readDirSync(victim)].map((e) => e.name).sort(), [
      "mine.txt",
      "stage",
    ]);
    assert.equal(Deno.readDirSync(`${victim}/stage`).toArray().length, 1, "staged file kept");
    // A new folder made at the name is not the run's folder either.
    await Deno.remove(out);
    await Deno.mkdir(out);
    assert.throws(guard, /no longer the folder this run started in/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
