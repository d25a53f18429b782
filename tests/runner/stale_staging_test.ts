import assert from "node:assert/strict";
import { createStaging, removeStaleStaging } from "../../src/runner/interrupt.ts";

async function names(dir: string): Promise<string[]> {
  const out = [];
  for await (const e of Deno.readDir(dir)) out.push(e.name);
  return out.sort();
}

Deno.test("removeStaleStaging sweeps only folders exactly as createStaging makes them", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir());
  try {
    const live = await createStaging(dir);
    const name = live.dir.split("/").pop()!;
    live.release();
    const host = name.slice(".medprep-tmp-run-".length, name.lastIndexOf("-"));
    const at = (suffix: string) => `${dir}/.medprep-tmp-run-${host}-${suffix}`;
    // Not medprep's name: any suffix but 8 lowercase hex digits.
    for (const suffix of ["mybackup", "0123ABCD", "0123abcd0", "0123abc"]) {
      await Deno.mkdir(at(suffix));
      await Deno.writeTextFile(`${at(suffix)}/.lock`, "");
      await Deno.writeTextFile(`${at(suffix)}/notes.txt`, "mine");
    }
    // medprep's name, but content medprep never puts there: a subfolder, a link.
    await Deno.mkdir(at("aaaaaaa1"));
    await Deno.writeTextFile(`${at("aaaaaaa1")}/.lock`, "");
    await Deno.mkdir(`${at("aaaaaaa1")}/sub`);
    await Deno.mkdir(at("aaaaaaa2"));
    await Deno.writeTextFile(`${at("aaaaaaa2")}/.lock`, "");
    await Deno.symlink(`${dir}/elsewhere`, `${at("aaaaaaa2")}/link.nii.gz`);
    // A .lock that is a link (to a file outside) or a folder: never opened, the folder kept.
    await Deno.writeTextFile(`${dir}/victim.txt`, "precious");
    await Deno.mkdir(at("aaaaaaa3"));
    await Deno.symlink(`${dir}/victim.txt`, `${at("aaaaaaa3")}/.lock`);
    await Deno.mkdir(at("aaaaaaa4"));
    await Deno.mkdir(`${at("aaaaaaa4")}/.lock`);
    // The folder itself a link to a staging-like folder elsewhere.
    await Deno.mkdir(`${dir}/other`);
    await Deno.writeTextFile(`${dir}/other/.lock`, "");
    await Deno.symlink(`${dir}/other`, at("aaaaaaa5"));
    const before = await names(dir);
    assert.equal(await removeStaleStaging(dir), 1, "only the released staging dir of this run");
    assert.deepEqual(await names(dir), before.filter((n) => n !== name));
    for (const suffix of ["mybackup", "0123ABCD", "0123abcd0", "0123abc"]) {
      assert.equal(await Deno.readTextFile(`${at(suffix)}/notes.txt`), "mine");
    }
    assert.ok(Deno.statSync(`${at("aaaaaaa1")}/sub`).isDirectory);
    assert.ok(Deno.lstatSync(`${at("aaaaaaa2")}/link.nii.gz`).isSymlink);
    assert.ok(Deno.lstatSync(`${at("aaaaaaa3")}/.lock`).isSymlink);
    assert.equal(await Deno.readTextFile(`${dir}/victim.txt`), "precious");
    assert.deepEqual(await names(`${dir}/other`), [".lock"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("removeStaleStaging removes a dead run's staged files one by one, then its folder", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir());
  try {
    const live = await createStaging(dir);
    const staged = `${live.dir}/${"ab".repeat(20)}.nii.gz`;
    await Deno.writeTextFile(staged, "x");
    await Deno.writeTextFile(`${live.dir}/.medprep-tmp-3k2j1h`, "partial");
    assert.equal(await removeStaleStaging(dir), 0, "held by this run");
    live.release();
    assert.equal(await removeStaleStaging(dir), 1);
    assert.deepEqual(await names(dir), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
