import assert from "node:assert/strict";
import { hashSourceTree, readMedprepSource } from "../../src/provenance/source_hash.ts";

async function tree(files: Record<string, string>): Promise<string> {
  const dir = await Deno.makeTempDir();
  for (const [name, text] of Object.entries(files)) {
    await Deno.mkdir(`${dir}/${name}`.replace(/\/[^/]*$/, ""), { recursive: true });
    await Deno.writeTextFile(`${dir}/${name}`, text);
  }
  return dir;
}

Deno.test("hashSourceTree hashes src/**/*.ts and deno.lock, without git, changing with any of them", async () => {
  const files = { "src/a.ts": "a", "src/x/b.ts": "b", "deno.lock": "{}", "README.md": "r" };
  const [one, two] = [
    await tree(files),
    await tree({ ...files, "src/notes.txt": "n", "README.md": "other" }),
  ];
  try {
    const a = await hashSourceTree(one);
    assert.equal(a.files, 3);
    assert.match(a.sha256, /^[0-9a-f]{64}$/);
    assert.deepEqual(await hashSourceTree(two), a, "other files do not count");
    await Deno.writeTextFile(`${two}/src/x/b.ts`, "b2");
    assert.notEqual((await hashSourceTree(two)).sha256, a.sha256);
    await Deno.writeTextFile(`${two}/src/x/b.ts`, "b");
    await Deno.writeTextFile(`${two}/deno.lock`, "{ }");
    assert.notEqual((await hashSourceTree(two)).sha256, a.sha256);
    // A file renamed (same bytes) changes the hash too.
    await Deno.writeTextFile(`${two}/deno.lock`, "{}");
    await Deno.rename(`${two}/src/a.ts`, `${two}/src/c.ts`);
    assert.notEqual((await hashSourceTree(two)).sha256, a.sha256);
  } finally {
    await Deno.remove(one, { recursive: true });
    await Deno.remove(two, { recursive: true });
  }
});

Deno.test("readMedprepSource hashes this checkout once per process", async () => {
  const root = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
  const first = await readMedprepSource();
  assert.deepEqual(first, await hashSourceTree(root));
  assert.equal(await readMedprepSource(), first);
});
