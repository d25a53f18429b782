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

Deno.test("sweepUntilClean removes the staging dir and files that reappear", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/stage`);
    await Deno.writeTextFile(`${dir}/stage/t.nii`, "x");
    await Deno.writeTextFile(`${dir}/late.nii`, "x");
    // A file that appears after the first pass (a worker finishing its rename late).
    setTimeout(() => Deno.writeTextFileSync(`${dir}/late.nii`, "y"), 30);
    await sweepUntilClean(`${dir}/stage`, [`${dir}/late.nii`], { pauseMs: 20, cleanPasses: 4 });
    const left = [];
    for await (const e of Deno.readDir(dir)) left.push(e.name);
    assert.deepEqual(left, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
