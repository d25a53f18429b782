/**
 * Issue 15.3c: planning a run stats each input once (the manifest check), and a header read of
 * a checked file makes one read call — on the VMs we measured each system call costs ~15 µs,
 * which dominated `run --dry-run` of 100,000 rows. A file not checked by a manifest of this
 * process is still stat'ed before it is opened (a FIFO would block the open forever).
 */
import assert from "node:assert/strict";
import { readManifest } from "../../src/manifest/manifest.ts";
import { readNiftiHeaderSync } from "../../src/nifti/nifti_read.ts";
import { writeNiftiSync } from "../../src/nifti/nifti_write.ts";
import { makeVolume } from "../_volumes.ts";

/** Runs `f` counting Deno.statSync calls and FsFile.readSync calls on paths under `dir`. */
function counting<T>(dir: string, f: () => Promise<T> | T) {
  const stat = Deno.statSync;
  const open = Deno.openSync;
  const counts = { stat: 0, read: 0 };
  Deno.statSync = (p: string | URL) => {
    if (String(p).startsWith(dir)) counts.stat++;
    return stat(p);
  };
  Deno.openSync = (p: string | URL, o?: Deno.OpenOptions) => {
    const file = open(p, o);
    if (!String(p).startsWith(dir)) return file;
    const readSync = file.readSync.bind(file);
    file.readSync = (b: Uint8Array) => {
      counts.read++;
      return readSync(b);
    };
    return file;
  };
  const restore = () => {
    Deno.statSync = stat;
    Deno.openSync = open;
  };
  return Promise.resolve().then(f).finally(restore).then((value) => ({ value, counts }));
}

Deno.test("planning stats each input once and reads a small gzip header in one call", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "medprep-stat-once-" });
  try {
    const rows = ["id,image"];
    for (let i = 0; i < 5; i++) {
      writeNiftiSync(`${dir}/s${i}.nii.gz`, makeVolume({ shape: [6, 5, 4] }));
      rows.push(`s${i},s${i}.nii.gz`);
    }
    Deno.writeTextFileSync(`${dir}/m.csv`, rows.join("\n") + "\n");
    const { counts } = await counting(`${dir}/s`, async () => {
      const manifest = await readManifest(`${dir}/m.csv`);
      for (const r of manifest.rows) readNiftiHeaderSync(r.paths.image);
    });
    assert.deepEqual(counts, { stat: 5, read: 5 });
    // A file this process did not check is stat'ed first (and still read in one call).
    writeNiftiSync(`${dir}/s9.nii.gz`, makeVolume({ shape: [6, 5, 4] }));
    const other = await counting(`${dir}/s`, () => readNiftiHeaderSync(`${dir}/s9.nii.gz`));
    assert.deepEqual(other.counts, { stat: 1, read: 1 });
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
