/**
 * Issue 15.1 through the CLI as the launchers run it: with MEDPREP_INFLATE=libdeflate the workers
 * inflate with libdeflate (a worker that cannot load it stops the run, so these runs prove they
 * did), and the outputs and provenance are byte for byte those of node:zlib (the default). A bad MEDPREP_INFLATE is refused before anything is written. Every
 * launcher grants FFI for exactly the libdeflate candidates.
 */
import assert from "node:assert/strict";
import { LIBDEFLATE_CANDIDATES, locateLibdeflate } from "../../src/nifti/libdeflate.ts";
import { LIBC_CANDIDATES } from "../../src/runner/huge_pages.ts";
import { FFI_FLAG, medprepCommand } from "../cli/_run.ts";
import { createDataset, readTree } from "./_dataset.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const LIB = locateLibdeflate();
if (!LIB) console.warn("NOTICE: libdeflate unavailable: the libdeflate run tests are SKIPPED");

const RECIPE = `version: 1
steps:
  - step: load
    labels: [label]
  - step: resample-to-size
    size: [9, 7, 11]
    interpolation: bspline
  - step: save
`;

async function run(dir: string, out: string, inflate: string, grant = true) {
  const cmd = medprepCommand(["run", "recipe.yaml", "--manifest", "manifest.csv", "--out", out]);
  const args = grant ? cmd.slice(1) : cmd.slice(1).filter((a) => a !== FFI_FLAG);
  const r = await new Deno.Command(cmd[0], {
    args,
    cwd: dir,
    env: { MEDPREP_INFLATE: inflate },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: r.code, stderr: new TextDecoder().decode(r.stderr) };
}

/** Provenance without what differs from run to run (times, the output folder). */
function stable(dir: string, out: string) {
  const text = Deno.readTextFileSync(`${dir}/${out}/provenance.json`);
  return JSON.parse(text, (key, value) => key === "ms" ? undefined : value).subjects;
}

Deno.test({
  name: "run: libdeflate in the workers gives the bytes and provenance of node:zlib",
  ignore: !LIB,
  async fn() {
    const ds = await createDataset({ count: 3, shape: [13, 11, 9], recipe: RECIPE });
    try {
      const fast = await run(ds.dir, "fast", "libdeflate");
      assert.equal(fast.code, 0, fast.stderr);
      const slow = await run(ds.dir, "slow", "zlib");
      assert.equal(slow.code, 0, slow.stderr);
      const a = await readTree(`${ds.dir}/fast`), b = await readTree(`${ds.dir}/slow`);
      const volumes = [...a.keys()].filter((f) => f.endsWith(".nii.gz")).sort();
      assert.equal(volumes.length, 6);
      for (const f of volumes) assert.deepEqual(a.get(f), b.get(f), f);
      assert.deepEqual(stable(ds.dir, "fast"), stable(ds.dir, "slow"));
    } finally {
      await Deno.remove(ds.dir, { recursive: true });
    }
  },
});

Deno.test("run: MEDPREP_INFLATE other than zlib/libdeflate, or libdeflate without its grant, is refused first", async () => {
  const ds = await createDataset({ count: 1, recipe: RECIPE });
  try {
    const bad = await run(ds.dir, "out", "pako");
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /MEDPREP_INFLATE must be zlib or libdeflate, not "pako"/);
    assert.equal(await Deno.stat(`${ds.dir}/out`).catch(() => null), null);
    const ungranted = await run(ds.dir, "out", "libdeflate", false);
    assert.equal(ungranted.code, 2, ungranted.stderr);
    assert.match(ungranted.stderr, /MEDPREP_INFLATE=libdeflate, but no libdeflate is present/);
    assert.equal(await Deno.stat(`${ds.dir}/out`).catch(() => null), null);
    // The default (unset) is node:zlib: the workers get no FFI grant at all.
    const plain = await run(ds.dir, "out", "", false);
    assert.equal(plain.code, 0, plain.stderr);
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});

Deno.test("every launcher grants FFI for exactly the libdeflate and libc candidates and sets hugetlb", () => {
  assert.equal(
    FFI_FLAG,
    `--allow-ffi=${[...LIBDEFLATE_CANDIDATES, ...LIBC_CANDIDATES].join(",")}`,
  );
  const tasks = JSON.parse(Deno.readTextFileSync(`${ROOT}deno.json`)).tasks;
  for (const name of ["medprep", "run", "test"]) {
    assert.ok(tasks[name].includes(FFI_FLAG), name);
  }
  for (const name of ["medprep", "run"]) {
    assert.ok(tasks[name].includes("GLIBC_TUNABLES=glibc.malloc.hugetlb=1 deno run"), name);
  }
  for (const file of ["bin/medprep", "script/test", "tools/pack/medprep.cjs"]) {
    assert.ok(Deno.readTextFileSync(`${ROOT}${file}`).includes(FFI_FLAG), file);
  }
  for (const file of ["bin/medprep", "tools/pack/medprep.cjs"]) {
    assert.match(Deno.readTextFileSync(`${ROOT}${file}`), /glibc\.malloc\.hugetlb=1/, file);
  }
});

Deno.test({
  name: "fingerprint: its workers inflate with libdeflate too (required), with zlib's report",
  ignore: !LIB,
  async fn() {
    const ds = await createDataset({ count: 3, recipe: RECIPE });
    try {
      const report = async (inflate: string) => {
        const cmd = medprepCommand(["fingerprint", "--manifest", "manifest.csv", "--json"]);
        const r = await new Deno.Command(cmd[0], {
          args: cmd.slice(1),
          cwd: ds.dir,
          env: { MEDPREP_INFLATE: inflate },
          stdout: "piped",
          stderr: "piped",
        }).output();
        assert.equal(r.code, 0, new TextDecoder().decode(r.stderr));
        return new TextDecoder().decode(r.stdout);
      };
      const fast = await report("libdeflate");
      assert.match(fast, /"subjects"/);
      assert.equal(fast, await report("zlib"));
    } finally {
      await Deno.remove(ds.dir, { recursive: true });
    }
  },
});
