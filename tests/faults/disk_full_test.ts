/**
 * Issue #10 item 7 (second half): on a full disk the run stops scheduling at the first ENOSPC,
 * removes its staged files and the empty folders it made, and exits 1 with one clear line.
 * Needs a small tmpfs (`mount -t tmpfs`, root); skipped with a visible notice otherwise.
 */
import assert from "node:assert/strict";
import { createDataset } from "../runner/_dataset.ts";
import { listDirs, listFiles, runMedprep } from "./_faults.ts";

function mount(dir: string, size: string): boolean {
  try {
    const r = new Deno.Command("mount", {
      args: ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir],
      stdout: "null",
      stderr: "null",
    }).outputSync();
    return r.success;
  } catch {
    return false;
  }
}

function unmount(dir: string): void {
  new Deno.Command("umount", { args: [dir], stdout: "null", stderr: "null" }).outputSync();
}

function canMountTmpfs(): boolean {
  const dir = Deno.makeTempDirSync({ prefix: "medprep-tmpfs-probe-" });
  try {
    if (!mount(dir, "64k")) return false;
    unmount(dir);
    return true;
  } finally {
    Deno.removeSync(dir);
  }
}

const TMPFS = canMountTmpfs();
if (!TMPFS) {
  console.warn("NOTICE: disk_full_test skipped: cannot mount a tmpfs here (needs root)");
}

const RECIPE = `version: 1
name: fill
steps:
  - step: load
    labels: [label]
  - step: normalize
    method: zscore
  - step: save
    name: "{id}/{role}.nii"
`;

Deno.test({
  name: "run stops at the first ENOSPC, cleans its staging and empty folders, exit 1 with counts",
  ignore: !TMPFS,
  async fn() {
    const ds = await createDataset({ count: 20, shape: [40, 40, 30], recipe: RECIPE });
    const out = `${ds.dir}/out`;
    await Deno.mkdir(out);
    assert.ok(mount(out, "2m"), "mount");
    try {
      const r = await runMedprep([
        "run",
        ds.recipe,
        "--manifest",
        ds.manifest,
        "--out",
        out,
        "--workers",
        "1",
      ]);
      assert.equal(r.code, 1, r.stderr);
      const m = /disk full at (\S+): (\d+) done, (\d+) not started; free space and --resume/
        .exec(r.stderr);
      assert.ok(m, r.stderr);
      assert.equal(m[1], out);
      const done = Number(m[2]), notStarted = Number(m[3]);
      assert.ok(done >= 1 && done < 20, `done ${done}`);
      assert.ok(notStarted >= 1 && done + notStarted <= 19, `not started ${notStarted}`);
      const files = await listFiles(out);
      assert.deepEqual(files.filter((n) => n.includes(".medprep-")), [], "staged files left");
      const dirs = await listDirs(out);
      assert.equal(dirs.length, done, `only the done subjects' folders: ${dirs}`);
      for (const d of dirs) {
        assert.deepEqual(files.filter((f) => f.startsWith(`${d}/`)), [
          `${d}/image.nii`,
          `${d}/label.nii`,
        ]);
      }
    } finally {
      unmount(out);
      await Deno.remove(ds.dir, { recursive: true });
    }
  },
});
