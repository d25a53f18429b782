/**
 * Issue #10 item 1 (realpath half): a run never writes or deletes outside `--out`, not through
 * a symlinked folder inside it, not through a name that climbs out of it.
 */
import assert from "node:assert/strict";
import { createDataset } from "../runner/_dataset.ts";
import { listFiles, runMedprep, simpleRecipe } from "./_faults.ts";

Deno.test("run refuses to write or delete through a symlinked folder inside --out (exit 2)", async () => {
  const ds = await createDataset({ count: 3, recipe: simpleRecipe("evil/{id}_{role}.nii.gz") });
  try {
    const out = `${ds.dir}/out`, outside = `${ds.dir}/outside`;
    await Deno.mkdir(out);
    await Deno.mkdir(outside);
    await Deno.symlink(outside, `${out}/evil`);
    // A real file outside --out at the name of a subject that fails (corrupt input).
    const precious = new TextEncoder().encode("not medprep's");
    await Deno.writeFile(`${outside}/sub-02_image.nii.gz`, precious);
    await Deno.writeFile(`${ds.dir}/in/sub-02_ct.nii.gz`, new Uint8Array([31, 139, 8, 0, 1]));
    const r = await runMedprep(["run", ds.recipe, "--manifest", ds.manifest, "--out", out]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /symbolic link/);
    assert.match(r.stderr, /evil/);
    assert.deepEqual(await listFiles(outside), ["sub-02_image.nii.gz"], "nothing written outside");
    assert.deepEqual(await Deno.readFile(`${outside}/sub-02_image.nii.gz`), precious);
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});

Deno.test("run refuses a symlink at a folder the save name renders ({id}/), exit 2", async () => {
  // The run creates `sub-01/` itself; a symlink already sits at `sub-02/`.
  const ds = await createDataset({ count: 2, recipe: simpleRecipe("{id}/{role}.nii.gz") });
  try {
    const out = `${ds.dir}/out`, outside = `${ds.dir}/outside`;
    await Deno.mkdir(out);
    await Deno.mkdir(outside);
    await Deno.symlink(outside, `${out}/sub-02`);
    const r = await runMedprep(["run", ds.recipe, "--manifest", ds.manifest, "--out", out]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /sub-02.*symbolic link/);
    assert.deepEqual(await listFiles(outside), []);
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});

Deno.test("run never writes or deletes above --out through a `..` stem, and says so truthfully", async () => {
  const ds = await createDataset({ count: 1, recipe: simpleRecipe("{stem}/{role}.nii.gz") });
  try {
    // Input files named "...nii.gz": their stem is "..", so "{stem}/image.nii.gz" climbs out.
    await Deno.rename(`${ds.dir}/in/sub-01_ct.nii.gz`, `${ds.dir}/in/...nii.gz`);
    await Deno.rename(`${ds.dir}/in/sub-01_seg.nii.gz`, `${ds.dir}/in/seg/...nii.gz`).catch(
      async () => {
        await Deno.mkdir(`${ds.dir}/in/seg`);
        await Deno.rename(`${ds.dir}/in/sub-01_seg.nii.gz`, `${ds.dir}/in/seg/...nii.gz`);
      },
    );
    await Deno.writeTextFile(ds.manifest, "id,image,label\nsub-01,in/...nii.gz,in/seg/...nii.gz\n");
    const out = `${ds.dir}/out`;
    const precious = new TextEncoder().encode("a real file next to --out");
    await Deno.writeFile(`${ds.dir}/image.nii.gz`, precious);
    await Deno.writeFile(`${ds.dir}/label.nii.gz`, precious);
    const r = await runMedprep(["run", ds.recipe, "--manifest", ds.manifest, "--out", out]);
    assert.equal(r.code, 2, r.stderr);
    assert.doesNotMatch(r.stderr, /--allow-write/);
    // Refused by the output planner (a `..` value) or the confinement check, naming the row.
    assert.match(r.stderr, /row 2.*(outside the output folder|"\.\.", a directory reference)/);
    assert.deepEqual(await Deno.readFile(`${ds.dir}/image.nii.gz`), precious);
    assert.deepEqual(await Deno.readFile(`${ds.dir}/label.nii.gz`), precious);
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});
