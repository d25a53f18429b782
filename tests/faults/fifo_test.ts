/** Issue #10 item 7 (first half): a FIFO, a directory or a device as input never hangs. */
import assert from "node:assert/strict";
import { createDataset } from "../runner/_dataset.ts";
import { runMedprep, simpleRecipe } from "./_faults.ts";

async function mkfifo(path: string): Promise<void> {
  const r = await new Deno.Command("mkfifo", { args: [path] }).output();
  assert.ok(r.success, "mkfifo");
}

Deno.test("inspect refuses a FIFO with one line instead of hanging", async () => {
  const dir = await Deno.makeTempDir({ prefix: "medprep-fifo-" });
  try {
    await mkfifo(`${dir}/scan.nii.gz`);
    const r = await runMedprep(["inspect", `${dir}/scan.nii.gz`], { timeoutMs: 20_000 });
    assert.ok(!r.timedOut, "inspect hung on a FIFO");
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /scan\.nii\.gz.*not a regular file \(a FIFO\)/);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    // A directory and a character device: the same kind of line.
    await Deno.mkdir(`${dir}/dir.nii`);
    const d = await runMedprep(["inspect", `${dir}/dir.nii`], { timeoutMs: 20_000 });
    assert.match(d.stderr, /dir\.nii.*not a regular file \(a directory\)/);
    const z = await runMedprep(["inspect", "/dev/zero"], { timeoutMs: 20_000 });
    assert.ok(!z.timedOut, "inspect hung on /dev/zero");
    assert.match(z.stderr, /\/dev\/zero.*not a regular file \(a device\)/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("run refuses a FIFO input (manifest cell or .hdr/.img half) with its row, exit 2", async () => {
  const ds = await createDataset({ count: 2, recipe: simpleRecipe() });
  try {
    await Deno.remove(`${ds.dir}/in/sub-02_ct.nii.gz`);
    await mkfifo(`${ds.dir}/in/sub-02_ct.nii.gz`);
    const out = `${ds.dir}/out`;
    const r = await runMedprep(["run", ds.recipe, "--manifest", ds.manifest, "--out", out], {
      timeoutMs: 30_000,
    });
    assert.ok(!r.timedOut, "run hung on a FIFO");
    assert.equal(r.code, 2, r.stderr);
    assert.match(
      r.stderr,
      /manifest\.csv:3 image: .*sub-02_ct\.nii\.gz.*not a regular file \(a FIFO\)/,
    );
    // A pair whose .img half is a FIFO: the header is a regular file, the image is not.
    await Deno.remove(`${ds.dir}/in/sub-02_ct.nii.gz`);
    await Deno.writeFile(`${ds.dir}/in/p.hdr`, new Uint8Array(348));
    await mkfifo(`${ds.dir}/in/p.img`);
    await Deno.writeTextFile(
      ds.manifest,
      "id,image\nsub-01,in/sub-01_ct.nii.gz\nsub-02,in/p.hdr\n",
    );
    const p = await runMedprep(["run", ds.recipe, "--manifest", ds.manifest, "--out", out], {
      timeoutMs: 30_000,
    });
    assert.ok(!p.timedOut, "run hung on a FIFO .img");
    assert.equal(p.code, 2, p.stderr);
    assert.match(p.stderr, /manifest\.csv:3 image: .*p\.img.*not a regular file \(a FIFO\)/);
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});
