import assert from "node:assert/strict";
import { readGitInfo, readRepoGitInfo } from "../../src/provenance/git.ts";

async function git(dir: string, ...args: string[]) {
  const out = await new Deno.Command("git", { args: ["-C", dir, ...args], stdout: "null" })
    .output();
  assert.ok(out.success, `git ${args.join(" ")}`);
}

Deno.test("readGitInfo gives the commit and whether the recipe has uncommitted changes", async () => {
  const dir = await Deno.makeTempDir();
  try {
    assert.equal(await readGitInfo(`${dir}/r.yaml`), null);
    await git(dir, "init", "-q");
    await Deno.writeTextFile(`${dir}/r.yaml`, "version: 1\n");
    await git(dir, "add", "r.yaml");
    await git(dir, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "r");
    const clean = await readGitInfo(`${dir}/r.yaml`);
    assert.match(clean!.commit, /^[0-9a-f]{40}$/);
    assert.equal(clean!.dirty, false);
    await Deno.writeTextFile(`${dir}/other.txt`, "x"); // other files do not count
    assert.equal((await readGitInfo(`${dir}/r.yaml`))!.dirty, false);
    await Deno.writeTextFile(`${dir}/r.yaml`, "version: 1\nseed: 2\n");
    assert.deepEqual(await readGitInfo(`${dir}/r.yaml`), { commit: clean!.commit, dirty: true });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readRepoGitInfo answers only for a repository's top level (not a tree unpacked inside one)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/medprep/src`, { recursive: true });
    await Deno.writeTextFile(`${dir}/medprep/src/a.ts`, "a");
    assert.equal(await readRepoGitInfo(`${dir}/medprep`, ["src"]), null);
    await git(dir, "init", "-q");
    await git(dir, "add", ".");
    await git(dir, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "outer");
    assert.equal(await readRepoGitInfo(`${dir}/medprep`, ["src"]), null, "the outer repository");
    const top = await readRepoGitInfo(dir, ["medprep/src"]);
    assert.match(top!.commit, /^[0-9a-f]{40}$/);
    assert.equal(top!.dirty, false);
    await Deno.writeTextFile(`${dir}/medprep/src/a.ts`, "b");
    assert.equal((await readRepoGitInfo(dir, ["medprep/src"]))!.dirty, true);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
