/**
 * A lock file in --out (`.medprep.lock`, `.medprep-shard-I-of-N.lock`) that is a symbolic link,
 * a hard link, a FIFO or a folder is never opened for writing nor followed: the run is refused
 * (exit 2) naming the path and what it is. A user folder named like a staging folder is never
 * swept.
 */
import assert from "node:assert/strict";
import { createDataset } from "../runner/_dataset.ts";
import { listFiles, runMedprep, simpleRecipe } from "./_faults.ts";

const VICTIM = "precious\n";

/** Runs one subject into `<ds>/out` after `prepare(out, dir)`; returns the result. */
async function withOut(
  prepare: (out: string, dir: string) => Promise<void>,
  check: (r: Awaited<ReturnType<typeof runMedprep>>, out: string, dir: string) => unknown,
  extra: string[] = [],
) {
  const ds = await createDataset({ count: 1, recipe: simpleRecipe() });
  try {
    const out = `${ds.dir}/out`;
    await Deno.mkdir(out);
    await prepare(out, ds.dir);
    const r = await runMedprep(
      ["run", ds.recipe, "--manifest", ds.manifest, "--out", out, ...extra],
      { timeoutMs: 30_000 },
    );
    assert.ok(!r.timedOut, "the run hung");
    await check(r, out, ds.dir);
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
}

for (
  const [name, extra] of [
    [".medprep.lock", []],
    [".medprep-shard-1-of-2.lock", ["--shard", "1/2"]],
  ] as const
) {
  Deno.test(`a ${name} that is a symbolic link is refused (exit 2); its target is untouched`, async () => {
    await withOut(async (out, dir) => {
      await Deno.writeTextFile(`${dir}/victim.txt`, VICTIM);
      await Deno.symlink(`${dir}/victim.txt`, `${out}/${name}`);
    }, async (r, out, dir) => {
      assert.equal(r.code, 2, r.stderr);
      assert.equal(await Deno.readTextFile(`${dir}/victim.txt`), VICTIM, "target untouched");
      assert.ok(Deno.lstatSync(`${out}/${name}`).isSymlink, "the link is left as it is");
      assert.match(r.stderr, new RegExp(`${name.replaceAll(".", "\\.")}.*symbolic link`));
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
      assert.deepEqual(await listFiles(out), [name], "nothing written but the link");
    }, [...extra]);
  });
}

Deno.test("a .medprep.lock that is a hard link of a file elsewhere is refused; that file is untouched", async () => {
  await withOut(async (out, dir) => {
    await Deno.writeTextFile(`${dir}/victim.txt`, VICTIM);
    await Deno.link(`${dir}/victim.txt`, `${out}/.medprep.lock`);
  }, async (r, _out, dir) => {
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /\.medprep\.lock.*hard link/);
    assert.equal(await Deno.readTextFile(`${dir}/victim.txt`), VICTIM);
  });
});

Deno.test("a .medprep.lock that is a FIFO or a folder is refused with what it is, never opened", async () => {
  await withOut(async (out) => {
    const made = await new Deno.Command("mkfifo", { args: [`${out}/.medprep.lock`] }).output();
    assert.equal(made.code, 0);
  }, (r) => {
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /\.medprep\.lock.*not a regular file/);
  });
  await withOut(async (out) => {
    await Deno.mkdir(`${out}/.medprep.lock`);
  }, (r) => {
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /\.medprep\.lock.*a folder/);
  });
});

Deno.test("a whole run refuses a shard lock in --out that is a symbolic link (never opened)", async () => {
  await withOut(async (out, dir) => {
    await Deno.writeTextFile(`${dir}/victim.txt`, VICTIM);
    await Deno.symlink(`${dir}/victim.txt`, `${out}/.medprep-shard-2-of-2.lock`);
  }, async (r, out, dir) => {
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /\.medprep-shard-2-of-2\.lock.*symbolic link/);
    assert.equal(await Deno.readTextFile(`${dir}/victim.txt`), VICTIM);
    assert.deepEqual(
      await listFiles(out),
      [".medprep-shard-2-of-2.lock"],
      "its own lock removed again, nothing written",
    );
  });
});

function stagingHost(): string {
  return Deno.hostname().replace(/[^\w.-]/g, "_");
}

Deno.test("a user folder named like a staging folder of this host is never swept", async () => {
  const host = stagingHost();
  const kept = [
    `.medprep-tmp-run-${host}-mybackup`, // not 8 hex digits
    `.medprep-tmp-run-${host}-0123abcd`, // medprep's name, but a subfolder inside
  ];
  await withOut(async (out) => {
    for (const d of kept) {
      await Deno.mkdir(`${out}/${d}`);
      await Deno.writeTextFile(`${out}/${d}/.lock`, "");
      await Deno.writeTextFile(`${out}/${d}/notes.txt`, "mine");
    }
    await Deno.mkdir(`${out}/${kept[1]}/sub`);
    await Deno.writeTextFile(`${out}/${kept[1]}/sub/more.txt`, "mine");
  }, async (r, out) => {
    assert.equal(r.code, 0, r.stderr);
    const files = await listFiles(out);
    for (const d of kept) assert.ok(files.includes(`${d}/notes.txt`), `${d} kept: ${files}`);
    assert.ok(files.includes(`${kept[1]}/sub/more.txt`));
  });
});
