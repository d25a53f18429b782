import { deepEqual, equal, ok, rejects, throws } from "node:assert/strict";
import { join } from "node:path";
import { ManifestError } from "../../src/errors.ts";
import { readCsv } from "../../src/manifest/csv.ts";
import { expandGlob, segmentToRegExp } from "../../src/manifest/glob.ts";
import { readManifest } from "../../src/manifest/manifest.ts";
import { bindManifest } from "../../src/recipe/bind_manifest.ts";
import { validateRecipePlan } from "../../src/recipe/validate.ts";

/** A temp dir with scans/{a,b}.nii.gz, scans/a_seg.nii.gz, scans/sub/c.nii, scans/.hidden.nii. */
async function fixture(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "medprep_manifest_" });
  await Deno.mkdir(join(dir, "scans", "sub"), { recursive: true });
  for (const f of ["a.nii.gz", "b.nii.gz", "a_seg.nii.gz", "sub/c.nii", ".hidden.nii", "d.hdr"]) {
    await Deno.writeFile(join(dir, "scans", f), new Uint8Array(4));
  }
  return dir;
}

async function issuesOf(p: Promise<unknown>): Promise<string[]> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ManifestError) return e.message.split("\n");
    throw e;
  }
  throw new Error("expected a ManifestError");
}

Deno.test("readCsv parses quotes, doubled quotes, embedded newlines, CRLF and a BOM", () => {
  const text = '\ufeffid,image\r\n"a,1","x ""q"".nii"\r\n\r\nb,"multi\nline"\nc,\n';
  deepEqual(readCsv(text), [
    { line: 1, fields: ["id", "image"] },
    { line: 2, fields: ["a,1", 'x "q".nii'] },
    { line: 4, fields: ["b", "multi\nline"] },
    { line: 6, fields: ["c", ""] },
  ]);
  deepEqual(readCsv("id\timage\nx\ty.nii", "\t")[1].fields, ["x", "y.nii"]);
  throws(() => readCsv('id,image\n"a,b\n'), /line 2: unterminated quoted field/);
  throws(() => readCsv('id\n"a"b\n'), /line 2: unexpected text after a closing quote/);
});

Deno.test("segmentToRegExp matches *, ? and [abc] / [!abc] within one segment", () => {
  ok(segmentToRegExp("*.nii.gz").test("a.nii.gz"));
  ok(!segmentToRegExp("*.nii.gz").test("a.nii"));
  ok(segmentToRegExp("s?b").test("sub"));
  ok(segmentToRegExp("[ab].nii.gz").test("b.nii.gz"));
  ok(!segmentToRegExp("[!ab].nii.gz").test("a.nii.gz"));
  ok(!segmentToRegExp("a+b").test("aab"));
});

Deno.test("expandGlob supports ** and skips dot files", async () => {
  const dir = await fixture();
  const got = await expandGlob("scans/**/*.nii*", dir);
  deepEqual(got.map((p) => p.slice(dir.length + 1)), [
    "scans/a.nii.gz",
    "scans/a_seg.nii.gz",
    "scans/b.nii.gz",
    "scans/sub/c.nii",
  ]);
  deepEqual(await expandGlob(join(dir, "scans/[ab].nii.gz")), [
    join(dir, "scans/a.nii.gz"),
    join(dir, "scans/b.nii.gz"),
  ]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("readManifest reads a CSV: roles, absolute paths, empty cells omitted", async () => {
  const dir = await fixture();
  const path = join(dir, "m.csv");
  await Deno.writeTextFile(
    path,
    "id,image,label\ns1,scans/a.nii.gz,scans/a_seg.nii.gz\ns2,scans/b.nii.gz,\n",
  );
  const m = await readManifest(path);
  equal(m.kind, "csv");
  deepEqual(m.roles, ["image", "label"]);
  deepEqual(m.rows, [
    {
      id: "s1",
      row: 2,
      paths: { image: join(dir, "scans/a.nii.gz"), label: join(dir, "scans/a_seg.nii.gz") },
    },
    { id: "s2", row: 3, paths: { image: join(dir, "scans/b.nii.gz") } },
  ]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("readManifest reports every CSV problem with its line", async () => {
  const dir = await fixture();
  const path = join(dir, "m.csv");
  await Deno.writeTextFile(
    path,
    "id,image\ns1,scans/a.nii.gz\ns1,scans/b.nii.gz\n,scans/b.nii.gz\ns3,scans/zz.nii.gz\ns4,a,b\ns/5,scans/b.nii.gz\ns6,\n",
  );
  deepEqual(await issuesOf(readManifest(path)), [
    `${path}:3 id: Cannot use id "s1" twice: first used at line 2`,
    `${path}:4 id: Missing id`,
    `${path}:5 image: Cannot find "scans/zz.nii.gz": file not found`,
    `${path}:6: Cannot read entry: it has 3 fields, the header has 2`,
    `${path}:7 id: Cannot use id "s/5": ids name output files and must not contain / or \\`,
    `${path}:8: Cannot use subject "s6": it has no file in any role`,
  ]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("readManifest reads TSV, JSON, JSON Lines and accepts subject_id as the id column", async () => {
  const dir = await fixture();
  await Deno.writeTextFile(join(dir, "m.tsv"), "subject_id\timage\nx\tscans/a.nii.gz\n");
  await Deno.writeTextFile(join(dir, "m.json"), '[{"id": 7, "image": "scans/a.nii.gz"}]');
  await Deno.writeTextFile(join(dir, "m.jsonl"), '\n{"id": "y", "t1": "scans/b.nii.gz"}\n');
  const tsv = await readManifest(join(dir, "m.tsv"));
  deepEqual([tsv.kind, tsv.rows[0].id, tsv.roles], ["tsv", "x", ["image"]]);
  const json = await readManifest(join(dir, "m.json"));
  deepEqual([json.kind, json.rows[0].id, json.rows[0].row], ["json", "7", 1]);
  const jsonl = await readManifest(join(dir, "m.jsonl"));
  deepEqual([jsonl.kind, jsonl.rows[0].row, jsonl.roles], ["jsonl", 2, ["t1"]]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("readManifest reports JSON problems: bad JSON, non-objects, non-string paths", async () => {
  const dir = await fixture();
  await Deno.writeTextFile(join(dir, "bad.json"), "[{");
  ok((await issuesOf(readManifest(join(dir, "bad.json"))))[0].includes("Cannot parse manifest"));
  await Deno.writeTextFile(
    join(dir, "m.json"),
    '[{"id":"a","image":"scans/a.nii.gz"}, 3, {"id":"b","image":5}]',
  );
  deepEqual(await issuesOf(readManifest(join(dir, "m.json"))), [
    `${join(dir, "m.json")} [1]: Cannot read entry: expected a JSON object`,
    `${join(dir, "m.json")} [2].image: Cannot use 5: expected a file path`,
    `${join(dir, "m.json")} [2]: Cannot use subject "b": it has no file in any role`,
  ]);
  await Deno.writeTextFile(join(dir, "m.jsonl"), '{"id":"a","image":"scans/a.nii.gz"}\n{oops}\n');
  const lines = await issuesOf(readManifest(join(dir, "m.jsonl")));
  equal(lines.length, 1);
  ok(lines[0].startsWith(`${join(dir, "m.jsonl")}:2: Cannot read entry: invalid JSON`), lines[0]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("readManifest reads an MSD dataset.json (ids from image stems, test paths)", async () => {
  const dir = await fixture();
  await Deno.writeTextFile(
    join(dir, "dataset.json"),
    JSON.stringify({
      name: "Task",
      training: [{ image: "./scans/a.nii.gz", label: "./scans/a_seg.nii.gz" }],
      test: ["./scans/b.nii.gz", "./scans/gone.nii.gz"],
    }),
  );
  const lines = await issuesOf(readManifest(join(dir, "dataset.json")));
  deepEqual(lines, [
    `${join(dir, "dataset.json")} test[1].image: Cannot find "./scans/gone.nii.gz": file not found`,
  ]);
  await Deno.writeTextFile(
    join(dir, "dataset.json"),
    JSON.stringify({
      training: [{ image: "./scans/a.nii.gz", label: "./scans/a_seg.nii.gz" }],
      test: ["./scans/b.nii.gz"],
    }),
  );
  const m = await readManifest(join(dir, "dataset.json"));
  equal(m.kind, "msd");
  deepEqual(m.rows.map((r) => [r.id, Object.keys(r.paths)]), [["a", ["image", "label"]], ["b", [
    "image",
  ]]]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("readManifest with glob: id = stem without .nii/.nii.gz/.hdr, role image", async () => {
  const dir = await fixture();
  const m = await readManifest(join(dir, "scans/**/*.{nii,gz,hdr}".replace("{nii,gz,hdr}", "*")), {
    glob: true,
  });
  equal(m.kind, "glob");
  deepEqual(m.roles, ["image"]);
  deepEqual(m.rows.map((r) => r.id), ["a", "a_seg", "b", "d", "c"]);
  const none = await issuesOf(readManifest(join(dir, "nothing/*.nii"), { glob: true }));
  ok(none[0].includes("Cannot find any file matching"), none[0]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("readManifest names a missing manifest, an unknown format, no id column, no rows", async () => {
  const dir = await fixture();
  await rejects(
    readManifest(join(dir, "nope.csv")),
    /Cannot read manifest ".*nope.csv": file not found/,
  );
  await Deno.writeTextFile(join(dir, "m.txt"), "id,image\n");
  await rejects(readManifest(join(dir, "m.txt")), /unknown format/);
  await Deno.writeTextFile(join(dir, "m.csv"), "name,image\na,scans/a.nii.gz\n");
  // Issue 14.5: the message lists the columns found.
  await rejects(
    readManifest(join(dir, "m.csv")),
    /no id column \(id, subject_id, subject, in any case\); the columns are "name", "image"/,
  );
  await Deno.writeTextFile(join(dir, "m.csv"), "id,image\n");
  await rejects(readManifest(join(dir, "m.csv")), /lists no subjects/);
  await Deno.writeTextFile(join(dir, "m.csv"), "id,image,image\na,x,y\n");
  await rejects(readManifest(join(dir, "m.csv")), /its header has column "image" twice/);
  await Deno.writeTextFile(join(dir, "m.csv"), "id\na\n");
  await rejects(readManifest(join(dir, "m.csv")), /no path columns/);
  await Deno.writeTextFile(join(dir, "m.csv"), "id,a/../../b\na,scans/a.nii.gz\n");
  await rejects(
    readManifest(join(dir, "m.csv")),
    /Cannot use column "a\/\.\.\/\.\.\/b" as a role: roles name output files and must not contain/,
  );
  await Deno.writeTextFile(join(dir, "m.json"), '[{"id": "a", "..": "scans/a.nii.gz"}]');
  await rejects(readManifest(join(dir, "m.json")), /Cannot use column "\.\." as a role/);
  await Deno.remove(dir, { recursive: true });
});

const RECIPE = (load: string, name: string) =>
  validateRecipePlan(
    `version: 1\nsteps:\n  - step: load\n${load}  - step: save\n    name: "${name}"\n`,
    "r.yaml",
  ).plan;

Deno.test("bindManifest checks listed roles exist and every row has them", async () => {
  const dir = await fixture();
  const path = join(dir, "m.csv");
  await Deno.writeTextFile(
    path,
    "id,image,label\ns1,scans/a.nii.gz,scans/a_seg.nii.gz\ns2,scans/b.nii.gz,\n",
  );
  const m = await readManifest(path);
  bindManifest(RECIPE("", "{id}_{role}.nii.gz"), m);
  throws(
    () => bindManifest(RECIPE("    roles: [image, label, t2]\n", "{id}_{role}.nii.gz"), m),
    (e: unknown) => {
      ok(e instanceof ManifestError);
      deepEqual(e.message.split("\n"), [
        `${path}: Cannot use role "t2" of steps[0].roles: the manifest has no such column (roles: image, label)`,
        `${path}:3: Missing file for role "label" of subject "s2"`,
      ]);
      return true;
    },
  );
  throws(
    () => bindManifest(RECIPE("    labels: [seg]\n", "{id}_{role}.nii.gz"), m),
    /Cannot use role "seg" of steps\[0\]\.labels/,
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("bindManifest reports output names that collide, with rows", async () => {
  const dir = await fixture();
  const path = join(dir, "m.csv");
  await Deno.writeTextFile(path, "id,image\ns1,scans/a.nii.gz\ns2,scans/sub/../a.nii.gz\n");
  const m = await readManifest(path);
  bindManifest(RECIPE("", "{id}_{stem}.nii.gz"), m);
  throws(
    () => bindManifest(RECIPE("", "{stem}_resampled.nii.gz"), m),
    (e: unknown) => {
      ok(e instanceof ManifestError);
      deepEqual(e.message.split("\n"), [
        `${path} row 3: Cannot write "a_resampled.nii.gz": row 3 (subject "s2", role image) and row 2 (subject "s1", role image) write the same file`,
      ]);
      return true;
    },
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("readManifest keeps columns naming no NIfTI file as metadata, never checked as files", async () => {
  const dir = await fixture();
  await Deno.writeTextFile(
    join(dir, "m.csv"),
    "id,image,split,age,site\ns1,scans/a.nii.gz,train,42,\ns2,scans/b.nii.gz,test,37,x/y\n",
  );
  const m = await readManifest(join(dir, "m.csv"));
  deepEqual(m.roles, ["image"]);
  deepEqual(m.metadata, ["split", "age", "site"]);
  deepEqual(m.rows.map((r) => [r.id, Object.keys(r.paths), r.metadata]), [
    ["s1", ["image"], { split: "train", age: "42" }],
    ["s2", ["image"], { split: "test", age: "37", site: "x/y" }],
  ]);
  await Deno.writeTextFile(
    join(dir, "m.json"),
    '[{"id":"s1","image":"scans/a.nii.gz","age":42,"ok":true},{"id":"s2","image":"scans/b.nii.gz"}]',
  );
  const j = await readManifest(join(dir, "m.json"));
  deepEqual(j.metadata, ["age", "ok"]);
  deepEqual(j.rows[0].metadata, { age: 42, ok: true });
  deepEqual(j.rows[1].metadata, {});
  // A column with one NIfTI name is a role: its other cells must be files.
  await Deno.writeTextFile(
    join(dir, "r.csv"),
    "id,image,t2\ns1,scans/a.nii.gz,train\ns2,scans/b.nii.gz,scans/b.nii.gz\n",
  );
  deepEqual(await issuesOf(readManifest(join(dir, "r.csv"))), [
    `${join(dir, "r.csv")}:2 t2: Cannot find "train": file not found`,
  ]);
  await Deno.writeTextFile(join(dir, "n.csv"), "id,split\ns1,train\n");
  deepEqual(await issuesOf(readManifest(join(dir, "n.csv"))), [
    `${join(dir, "n.csv")}: Cannot use manifest "${
      join(dir, "n.csv")
    }": no path columns (roles such as image, label); split name no .nii, .nii.gz, .hdr or .img file`,
  ]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("readManifest matches an id column in another case (ID, Subject_ID)", async () => {
  const dir = await fixture();
  try {
    await Deno.writeTextFile(join(dir, "m.csv"), "ID,image\nsub-a,scans/a.nii.gz\n");
    const upper = await readManifest(join(dir, "m.csv"));
    equal(upper.rows[0].id, "sub-a");
    deepEqual(Object.keys(upper.rows[0].paths), ["image"]);
    await Deno.writeTextFile(join(dir, "m.tsv"), "Subject_ID\timage\nsub-b\tscans/a.nii.gz\n");
    equal((await readManifest(join(dir, "m.tsv"))).rows[0].id, "sub-b");
    // An exact id column wins over another case of it.
    await Deno.writeTextFile(join(dir, "m.csv"), "ID,id,image\nx,sub-c,scans/a.nii.gz\n");
    equal((await readManifest(join(dir, "m.csv"))).rows[0].id, "sub-c");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
