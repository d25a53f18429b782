/**
 * Metadata columns (SPEC §7, issue 11 item 4) are never opened and are recorded per subject;
 * `run --subject` (repeatable) and `--limit` try a recipe on a few subjects.
 */
import assert from "node:assert/strict";
import { UsageError } from "../../src/errors.ts";
import { runBatch, selectSubjects } from "../../src/runner/batch.ts";
import { createDataset } from "./_dataset.ts";

const quiet = { quiet: true, command: ["test"] };
const SIMPLE = "version: 1\nsteps:\n  - step: load\n  - step: save\n";

async function withMetadata(count: number) {
  const ds = await createDataset({ count, recipe: SIMPLE });
  const [head, ...rows] = (await Deno.readTextFile(ds.manifest)).trim().split("\n");
  await Deno.writeTextFile(
    ds.manifest,
    [`${head},split,age`, ...rows.map((r, i) => `${r},${i % 2 ? "test" : "train"},${40 + i}`)]
      .join("\n") + "\n",
  );
  return ds;
}

async function readProvenance(out: string) {
  return JSON.parse(await Deno.readTextFile(`${out}/provenance.json`));
}

Deno.test("runBatch never opens metadata columns (split, age) and records them per subject", async () => {
  const ds = await withMetadata(2);
  try {
    const out = `${ds.dir}/out`;
    assert.equal(await runBatch({ ...quiet, recipe: ds.recipe, manifest: ds.manifest, out }), 0);
    const prov = await readProvenance(out);
    assert.deepEqual(
      prov.subjects.map((s: { id: string; metadata: unknown; outputs: { path: string }[] }) => [
        s.id,
        s.metadata,
        s.outputs.map((o) => o.path),
      ]),
      [
        ["sub-01", { split: "train", age: "40" }, ["sub-01_image.nii.gz", "sub-01_label.nii.gz"]],
        ["sub-02", { split: "test", age: "41" }, ["sub-02_image.nii.gz", "sub-02_label.nii.gz"]],
      ],
    );
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});

Deno.test("runBatch load: {roles} naming a metadata column is exit 2 listing the columns", async () => {
  const ds = await withMetadata(1);
  try {
    await Deno.writeTextFile(
      ds.recipe,
      "version: 1\nsteps:\n  - step: load\n    roles: [image, split]\n  - step: save\n",
    );
    await assert.rejects(
      () => runBatch({ ...quiet, recipe: ds.recipe, manifest: ds.manifest, out: `${ds.dir}/o` }),
      /Cannot use role "split" of steps\[0\]\.roles: it is a metadata column .*\(roles: image, label; metadata: split, age\)/,
    );
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});

Deno.test("selectSubjects keeps --subject ids and the first --limit rows in manifest order", () => {
  const rows = ["c", "a", "b", "d"].map((id) => ({ id }));
  assert.deepEqual(selectSubjects(rows, {}).map((r) => r.id), ["c", "a", "b", "d"]);
  assert.deepEqual(selectSubjects(rows, { subjects: ["b", "c"] }).map((r) => r.id), ["c", "b"]);
  assert.deepEqual(selectSubjects(rows, { limit: 2 }).map((r) => r.id), ["c", "a"]);
  assert.deepEqual(
    selectSubjects(rows, { subjects: ["d", "b", "a"], limit: 2 }).map((r) => r.id),
    ["a", "b"],
  );
  assert.throws(
    () => selectSubjects(rows, { subjects: ["a", "bb", "zzz"] }),
    (e: unknown) =>
      e instanceof UsageError &&
      e.message ===
        '--subject: Cannot select subject "bb": the manifest has no such id; did you mean `b`?\n' +
          '--subject: Cannot select subject "zzz": the manifest has no such id',
  );
});

Deno.test("runBatch --subject and --limit run only the selected subjects", async () => {
  const ds = await createDataset({ count: 4, recipe: SIMPLE });
  try {
    const one = `${ds.dir}/one`, two = `${ds.dir}/two`;
    const run = (out: string, extra: { subjects?: string[]; limit?: number }) =>
      runBatch({ ...quiet, recipe: ds.recipe, manifest: ds.manifest, out, ...extra });
    assert.equal(await run(one, { subjects: ["sub-03", "sub-01"] }), 0);
    assert.deepEqual(
      (await readProvenance(one)).subjects.map((s: { id: string }) => s.id),
      ["sub-01", "sub-03"],
    );
    assert.equal(await run(two, { limit: 1 }), 0);
    assert.deepEqual(
      [...Deno.readDirSync(two)].map((e) => e.name).sort(),
      [
        "dataset.json",
        "manifest.csv",
        "provenance.json",
        "report.html",
        "sub-01_image.nii.gz",
        "sub-01_label.nii.gz",
      ],
    );
    await assert.rejects(() => run(`${ds.dir}/none`, { subjects: ["sub-9"] }), UsageError);
    assert.equal(await Deno.stat(`${ds.dir}/none`).then(() => true, () => false), false);
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});
