import assert from "node:assert/strict";
import {
  createStagingName,
  removeStaleStaging,
  sweepUntilClean,
} from "../../src/runner/interrupt.ts";

Deno.test("removeStaleStaging removes only staging dirs of dead processes on this host", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const mine = createStagingName();
    const host = mine.split("-").slice(3, -2).join("-");
    const dead = `.medprep-tmp-run-${host}-2147483646-abcd1234`;
    const other = `.medprep-tmp-run-otherhost.example-1-abcd1234`;
    for (const d of [mine, dead, other]) await Deno.mkdir(`${dir}/${d}`);
    await Deno.writeTextFile(`${dir}/${dead}/partial.nii.gz`, "x");
    assert.equal(await removeStaleStaging(dir), 1);
    const left = [];
    for await (const e of Deno.readDir(dir)) left.push(e.name);
    assert.deepEqual(left.sort(), [mine, other].sort());
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
