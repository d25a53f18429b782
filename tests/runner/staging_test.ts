import assert from "node:assert/strict";
import { createPublisher, stagedPathOf } from "../../src/runner/staging.ts";
import { removeConfined, resolveOutDir } from "../../src/runner/confine.ts";
import type { SubjectRecord } from "../../src/provenance/types.ts";

function record(paths: string[], status: SubjectRecord["status"] = "done"): SubjectRecord {
  return {
    id: "a",
    row: 2,
    status,
    inputs: [],
    steps: [],
    outputs: paths.map((path) => ({ role: "image", copy: 0, path, sha256: "", dtype: "int16" })),
    warnings: [],
  } as unknown as SubjectRecord;
}

async function setup() {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "medprep-staging-" }));
  const out = `${root}/out`, stage = `${out}/.medprep-tmp-run-test`;
  await Deno.mkdir(stage, { recursive: true });
  await Deno.mkdir(`${root}/outside`);
  const stageFile = (rel: string, text = rel) =>
    Deno.writeTextFileSync(stagedPathOf(stage, rel), text);
  return { root, out, stage, stageFile };
}

async function names(dir: string): Promise<string[]> {
  const out = [];
  for await (const e of Deno.readDir(dir)) out.push(e.name);
  return out.sort();
}

Deno.test("createPublisher moves all of a done subject's outputs into place, creating folders", async () => {
  const { root, out, stage, stageFile } = await setup();
  try {
    stageFile("a/image.nii.gz");
    stageFile("a/label.nii.gz");
    const done = createPublisher(out, stage).publish(record(["a/image.nii.gz", "a/label.nii.gz"]));
    assert.equal(done.status, "done");
    assert.deepEqual(await names(`${out}/a`), ["image.nii.gz", "label.nii.gz"]);
    assert.equal(await Deno.readTextFile(`${out}/a/label.nii.gz`), "a/label.nii.gz");
    assert.deepEqual(await names(stage), []);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("createPublisher never writes outside --out, whatever the record says", async () => {
  const { root, out, stage, stageFile } = await setup();
  try {
    await Deno.writeTextFile(`${root}/outside/keep.nii.gz`, "precious");
    await Deno.symlink(`${root}/outside`, `${out}/evil`);
    const publisher = createPublisher(out, stage);
    for (const bad of ["../keep.nii.gz", "evil/keep.nii.gz", "/etc/x.nii.gz", "a/./b.nii.gz"]) {
      stageFile("ok.nii.gz");
      stageFile(bad);
      const r = publisher.publish(record(["ok.nii.gz", bad]));
      assert.equal(r.status, "failed", bad);
      assert.equal(r.error?.name, "publish");
      assert.match(r.error!.message, /outside the output folder|symbolic link|not a relative name/);
      assert.deepEqual(r.outputs, []);
      assert.deepEqual(await names(out), [".medprep-tmp-run-test", "evil"], "nothing published");
      assert.deepEqual(await names(stage), [], "its staged files removed");
    }
    assert.equal(await Deno.readTextFile(`${root}/outside/keep.nii.gz`), "precious");
    assert.deepEqual(await names(`${root}/outside`), ["keep.nii.gz"]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("createPublisher removes only the staged files of a failed or interrupted subject", async () => {
  const { root, out, stage, stageFile } = await setup();
  try {
    await Deno.writeTextFile(`${out}/a_image.nii.gz`, "another run's file");
    stageFile("a_image.nii.gz");
    const r = createPublisher(out, stage).publish(record(["a_image.nii.gz"], "failed"));
    assert.equal(r.status, "failed");
    assert.equal(await Deno.readTextFile(`${out}/a_image.nii.gz`), "another run's file");
    assert.deepEqual(await names(stage), []);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("removeConfined removes nothing outside --out or through a link", async () => {
  const { root, out } = await setup();
  try {
    await Deno.writeTextFile(`${root}/outside/keep`, "x");
    await Deno.symlink(`${root}/outside`, `${out}/evil`);
    assert.equal(removeConfined(out, `${root}/outside/keep`), false);
    assert.equal(removeConfined(out, `${out}/../outside/keep`), false);
    assert.equal(removeConfined(out, `${out}/evil/keep`), false);
    assert.equal(removeConfined(out, `${out}/evil/`, { recursive: true }), false);
    assert.deepEqual(await names(`${root}/outside`), ["keep"]);
    assert.equal(removeConfined(out, `${out}/evil`, { recursive: true }), true, "the link itself");
    assert.deepEqual(await names(`${root}/outside`), ["keep"]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("resolveOutDir resolves the existing part once and keeps the rest", async () => {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "medprep-staging-" }));
  try {
    await Deno.mkdir(`${root}/real`);
    await Deno.symlink(`${root}/real`, `${root}/link`);
    assert.equal(resolveOutDir(`${root}/link/new/deeper`), `${root}/real/new/deeper`);
    assert.equal(resolveOutDir(`${root}/link`), `${root}/real`);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
