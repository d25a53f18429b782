import assert from "node:assert/strict";
import { createStaging, removeStaleStaging, sweepUntilClean } from "../../src/runner/interrupt.ts";

Deno.test("removeStaleStaging removes only unlocked staging dirs of this host", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const live = await createStaging(dir);
    const name = live.dir.split("/").pop()!;
    const host = name.slice(".medprep-tmp-run-".length, name.lastIndexOf("-"));
    const dead = `.medprep-tmp-run-${host}-deadbeef`;
    const other = ".medprep-tmp-run-otherhost.example-abcd1234";
    const unlocked = `.medprep-tmp-run-${host}-nolock00`;
    for (const d of [dead, other, unlocked]) await Deno.mkdir(`${dir}/${d}`);
    await Deno.writeTextFile(`${dir}/${dead}/.lock`, ""); // its owner died: nobody holds it
    await Deno.writeTextFile(`${dir}/${dead}/partial.nii.gz`, "x");
    await Deno.writeTextFile(`${dir}/${other}/.lock`, "");
    assert.equal(await removeStaleStaging(dir), 1);
    const left = [];
    for await (const e of Deno.readDir(dir)) left.push(e.name);
    assert.deepEqual(left.sort(), [name, other, unlocked].sort());
    live.release();
    assert.equal(await removeStaleStaging(dir), 1, "released: now stale");
    assert.equal(await removeStaleStaging(`${dir}/missing`), 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sweepUntilClean removes the staging dir again when it reappears, nothing else", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir());
  try {
    await Deno.mkdir(`${dir}/stage`);
    await Deno.writeTextFile(`${dir}/stage/t.nii`, "x");
    await Deno.writeTextFile(`${dir}/final.nii`, "x");
    // A staged file that appears after the first pass (a terminated worker finishing late).
    setTimeout(() => {
      Deno.mkdirSync(`${dir}/stage`, { recursive: true });
      Deno.writeTextFileSync(`${dir}/stage/late.nii`, "y");
    }, 30);
    await sweepUntilClean(dir, `${dir}/stage`, { pauseMs: 20, cleanPasses: 4 });
    const left = [];
    for await (const e of Deno.readDir(dir)) left.push(e.name);
    assert.deepEqual(left, ["final.nii"], "final names are never swept");
    // Never outside the output folder, never through a link.
    await Deno.mkdir(`${dir}/outside`);
    await Deno.symlink(`${dir}/outside`, `${dir}/out-link`);
    await sweepUntilClean(`${dir}/final.nii`, `${dir}/outside`, { maxPasses: 1 });
    await sweepUntilClean(dir, `${dir}/out-link/`, { maxPasses: 1 });
    assert.ok((await Deno.stat(`${dir}/outside`)).isDirectory);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("removeStaleStaging of a run starting at the same moment never removes a staging dir being created", async () => {
  // Two shards start together in one --out (docs/cluster.md): each first removes stale staging
  // dirs, then creates its own. A dir whose lock file exists but is not locked yet must not
  // look stale: here the other shard's sweep runs exactly then.
  const dir = await Deno.makeTempDir();
  const open = Deno.open;
  try {
    let swept = -1;
    Deno.open = (async (path: string | URL, options?: Deno.OpenOptions) => {
      const file = await open(path, options);
      if (String(path).endsWith("/.lock") && options?.create) {
        Deno.open = open;
        swept = await removeStaleStaging(dir);
      }
      return file;
    }) as typeof Deno.open;
    const live = await createStaging(dir);
    Deno.open = open;
    assert.equal(swept, 0, "the other shard's sweep found nothing stale");
    assert.ok(Deno.statSync(live.dir).isDirectory, "the new run's staging dir still exists");
    assert.ok(Deno.statSync(`${live.dir}/.lock`).isFile);
    // It is locked: a later sweep leaves it alone until released.
    assert.equal(await removeStaleStaging(dir), 0);
    live.release();
    assert.equal(await removeStaleStaging(dir), 1);
  } finally {
    Deno.open = open;
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("removeStaleStaging removes a killed start's empty .medprep-tmp-new- dir once it is old, nothing else", async () => {
  // A run killed between making its staging dir and renaming it leaves `.medprep-tmp-new-…`
  // (empty, or with an unlocked .lock). An hour later no live start can still be in that
  // window; younger ones, locked ones, other hosts' and any with other content are kept.
  const dir = await Deno.makeTempDir();
  try {
    const live = await createStaging(dir);
    const name = live.dir.split("/").pop()!;
    const host = name.slice(".medprep-tmp-run-".length, name.lastIndexOf("-"));
    const old = new Date(Date.now() - 2 * 3600_000);
    const make = (suffix: string, files: string[], age: Date | null, h = host) => {
      const d = `${dir}/.medprep-tmp-new-${h}-${suffix}`;
      Deno.mkdirSync(d);
      for (const f of files) Deno.writeTextFileSync(`${d}/${f}`, "");
      if (age) {
        for (const f of files) Deno.utimeSync(`${d}/${f}`, age, age);
        Deno.utimeSync(d, age, age);
      }
      return d.split("/").pop()!;
    };
    make("empty000", [], old);
    make("lockonly", [".lock"], old);
    const young = make("young000", [".lock"], null);
    const other = make("other000", [".lock"], old, "otherhost.example");
    const full = make("content0", [".lock", "a.nii"], old);
    const held = make("held0000", [".lock"], null);
    const heldLock = await Deno.open(`${dir}/${held}/.lock`, { write: true });
    await heldLock.lock(true);
    for (const f of [".lock", ""]) Deno.utimeSync(`${dir}/${held}/${f}`, old, old);
    try {
      assert.equal(await removeStaleStaging(dir), 2);
    } finally {
      heldLock.close();
    }
    const left = [];
    for await (const e of Deno.readDir(dir)) left.push(e.name);
    assert.deepEqual(left.sort(), [name, young, other, full, held].sort());
    assert.ok(Deno.statSync(`${dir}/${full}/a.nii`).isFile, "content is never removed");
    assert.ok(Deno.statSync(`${dir}/${full}/.lock`).isFile, "nor the lock beside it");
    live.release();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
