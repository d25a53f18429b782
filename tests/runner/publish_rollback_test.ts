import assert from "node:assert/strict";
import { createPublisher, stagedPathOf } from "../../src/runner/staging.ts";
import type { SubjectRecord } from "../../src/provenance/types.ts";

function record(paths: string[]): SubjectRecord {
  return {
    id: "a",
    row: 2,
    status: "done",
    inputs: [],
    steps: [],
    outputs: paths.map((path) => ({ role: "image", copy: 0, path, sha256: "", dtype: "int16" })),
    warnings: [],
  } as unknown as SubjectRecord;
}

async function withOut(fn: (out: string, stage: string) => Promise<void>): Promise<void> {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "medprep-publish-" }));
  try {
    const out = `${root}/out`, stage = `${out}/.medprep-tmp-run-test`;
    await Deno.mkdir(stage, { recursive: true });
    await fn(out, stage);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

async function names(dir: string): Promise<string[]> {
  const out = [];
  for await (const e of Deno.readDir(dir)) out.push(e.name);
  return out.sort();
}

Deno.test("createPublisher puts back every file a failed publish had replaced (same inode)", async () => {
  await withOut(async (out, stage) => {
    const paths = ["a_image.nii.gz", "a_link.nii.gz", "a/mask.nii.gz", "a_label.nii.gz"];
    for (const p of paths) Deno.writeTextFileSync(stagedPathOf(stage, p), `new ${p}`);
    await Deno.writeTextFile(`${out}/a_image.nii.gz`, "there before");
    await Deno.symlink("elsewhere", `${out}/a_link.nii.gz`);
    const before = await Deno.lstat(`${out}/a_image.nii.gz`);
    // The last rename fails: a folder holding a file is at its name.
    await Deno.mkdir(`${out}/a_label.nii.gz`);
    await Deno.writeTextFile(`${out}/a_label.nii.gz/x`, "user");
    const r = createPublisher(out, stage).publish(record(paths));
    assert.equal(r.status, "failed");
    assert.equal(r.error?.name, "publish");
    assert.equal(await Deno.readTextFile(`${out}/a_image.nii.gz`), "there before");
    assert.equal((await Deno.lstat(`${out}/a_image.nii.gz`)).ino, before.ino);
    assert.equal(await Deno.readLink(`${out}/a_link.nii.gz`), "elsewhere");
    assert.equal(await Deno.readTextFile(`${out}/a_label.nii.gz/x`), "user");
    // What it created is gone (folder `a`), staged files and backups too.
    assert.deepEqual(await names(out), [
      ".medprep-tmp-run-test",
      "a_image.nii.gz",
      "a_label.nii.gz",
      "a_link.nii.gz",
    ]);
    assert.deepEqual(await names(stage), []);
  });
});

Deno.test("createPublisher replaces an earlier file in one rename and leaves no backup", async () => {
  await withOut(async (out, stage) => {
    Deno.writeTextFileSync(stagedPathOf(stage, "a_image.nii.gz"), "new");
    await Deno.writeTextFile(`${out}/a_image.nii.gz`, "old");
    const r = createPublisher(out, stage).publish(record(["a_image.nii.gz"]));
    assert.equal(r.status, "done");
    assert.equal(await Deno.readTextFile(`${out}/a_image.nii.gz`), "new");
    assert.deepEqual(await names(out), [".medprep-tmp-run-test", "a_image.nii.gz"]);
    assert.deepEqual(await names(stage), []);
  });
});
