/**
 * medprep as an npm package used from a dataset repository (issue 14.3): `npm pack` (through
 * tools/pack/pack.ts) → a fresh repository outside the checkout with its own recipe, manifest and
 * relative paths → `npm install ../medprep-<version>.tgz` from the npm cache → `npx medprep run`
 * and that repository's own `deno task run`. The reference is the same recipe run by this
 * checkout's CLI: the outputs must be byte-identical.
 */
import assert from "node:assert/strict";
import { pack, renameSpecifiers } from "../../tools/pack/pack.ts";
import { VERSION } from "../../src/version.ts";
import { writeNiftiSync } from "../../src/nifti/nifti_write.ts";
import { makeVolume } from "../_volumes.ts";
import { runCli } from "../cli/_run.ts";

const RECIPE = `version: 1
name: my-dataset-1mm
seed: 7
manifest: ../data/manifest.csv
steps:
  - step: load
    labels: [label]
  - step: resample-to-spacing
    spacing: [1.5, 1.5, 2]
  - step: normalize
    method: zscore
    mask: nonzero
  - step: save
    name: "{id}_{role}.nii.gz"
`;

const decoder = new TextDecoder();

async function sh(cmd: string, args: string[], cwd: string) {
  const out = await new Deno.Command(cmd, {
    args,
    cwd,
    stdout: "piped",
    stderr: "piped",
    env: { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
  }).output();
  return { code: out.code, stdout: decoder.decode(out.stdout), stderr: decoder.decode(out.stderr) };
}

async function listFiles(dir: string, rel = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(`${dir}/${rel}`)) {
    const path = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory) out.push(...await listFiles(dir, path));
    else out.push(path);
  }
  return out.sort();
}

/** The dataset repository: data/ (two subjects, relative paths), recipes/, deno.json. */
async function createDatasetRepo(dir: string): Promise<void> {
  await Deno.mkdir(`${dir}/data/scans`, { recursive: true });
  await Deno.mkdir(`${dir}/recipes`);
  const rows = ["id,image,label"];
  for (const [n, id] of ["case-a", "case-b"].entries()) {
    const inside = (i: number, j: number, k: number) =>
      ((i - 5) / 4) ** 2 + ((j - 4) / 3) ** 2 + ((k - 3) / 2.5) ** 2 < 1;
    writeNiftiSync(
      `${dir}/data/scans/${id}_t1.nii.gz`,
      makeVolume({ shape: [11, 9, 7], fn: (i, j, k) => inside(i, j, k) ? 100 + i * j + n : 0 }),
    );
    writeNiftiSync(
      `${dir}/data/scans/${id}_seg.nii.gz`,
      makeVolume({ shape: [11, 9, 7], dtype: "uint8", fn: (i, j, k) => inside(i, j, k) ? 1 : 0 }),
    );
    rows.push(`${id},scans/${id}_t1.nii.gz,scans/${id}_seg.nii.gz`);
  }
  await Deno.writeTextFile(`${dir}/data/manifest.csv`, rows.join("\n") + "\n");
  await Deno.writeTextFile(`${dir}/recipes/pipeline.yaml`, RECIPE);
  // The files README "Use it in your dataset repository" lists.
  await Deno.writeTextFile(
    `${dir}/package.json`,
    JSON.stringify({ name: "my-dataset", private: true }, null, 2) + "\n",
  );
  await Deno.writeTextFile(
    `${dir}/deno.json`,
    JSON.stringify({ tasks: { run: "medprep run" } }, null, 2) + "\n",
  );
}

Deno.test("renameSpecifiers renames relative .ts imports and worker URLs, nothing else", () => {
  assert.equal(
    renameSpecifiers(
      `import { a } from "./a.ts";\nimport b from '../x/b.ts';\nnew URL("./worker.ts", import.meta.url);\nimport "zod";\nconst s = "name.ts";`,
    ),
    `import { a } from "./a.js";\nimport b from '../x/b.js';\nnew URL("./worker.js", import.meta.url);\nimport "zod";\nconst s = "name.ts";`,
  );
});

Deno.test({
  name: "npm package: npx medprep run and deno task run work in a dataset repository",
  sanitizeResources: false,
  async fn(t) {
    const tmp = await Deno.makeTempDir({ prefix: "medprep-dataset-repo-" });
    try {
      const tgz = await pack(tmp);
      assert.equal(tgz, `${tmp}/medprep-${VERSION}.tgz`);
      const repo = `${tmp}/my-dataset`;
      await createDatasetRepo(repo);
      // Offline from the npm cache; the registry only when the cache lacks a package's metadata.
      let install = await sh("npm", [
        "install",
        `../medprep-${VERSION}.tgz`,
        "--offline",
        "--no-audit",
        "--no-fund",
      ], repo);
      if (install.code !== 0 && /ENOTCACHED/.test(install.stderr)) {
        console.warn("pack_test: NOTICE npm cache incomplete; installing with --prefer-offline");
        install = await sh("npm", [
          "install",
          `../medprep-${VERSION}.tgz`,
          "--prefer-offline",
          "--no-audit",
          "--no-fund",
        ], repo);
      }
      assert.equal(install.code, 0, install.stderr);
      const pkg = JSON.parse(await Deno.readTextFile(`${repo}/package.json`));
      assert.equal(pkg.dependencies.medprep, `file:../medprep-${VERSION}.tgz`);

      // The reference: this checkout's CLI on the same recipe and data.
      const ref = await runCli(["run", `${repo}/recipes/pipeline.yaml`, "--out", `${tmp}/ref`]);
      assert.equal(ref.code, 0, ref.stderr);
      const expected = (await listFiles(`${tmp}/ref`)).filter((f) => f.endsWith(".nii.gz"));
      assert.deepEqual(expected, [
        "case-a_image.nii.gz",
        "case-a_label.nii.gz",
        "case-b_image.nii.gz",
        "case-b_label.nii.gz",
      ]);

      const sameOutputs = async (out: string) => {
        for (const f of expected) {
          assert.deepEqual(
            await Deno.readFile(`${out}/${f}`),
            await Deno.readFile(`${tmp}/ref/${f}`),
            f,
          );
        }
        const prov = JSON.parse(await Deno.readTextFile(`${out}/provenance.json`));
        assert.equal(prov.manifest.path, `${repo}/data/manifest.csv`);
        assert.equal(prov.subjects.length, 2);
      };

      await t.step("npx medprep run recipes/pipeline.yaml (relative paths)", async () => {
        const r = await sh(
          "npx",
          ["--no-install", "medprep", "run", "recipes/pipeline.yaml"],
          repo,
        );
        assert.equal(r.code, 0, r.stderr);
        // Default --out: out/<recipe name> under the dataset repository (the current directory).
        await sameOutputs(`${repo}/out/my-dataset-1mm`);
      });

      await t.step(
        "deno task run (the repository's deno.json, the npm-installed deno)",
        async () => {
          const r = await sh(`${repo}/node_modules/.bin/deno`, [
            "task",
            "run",
            "recipes/pipeline.yaml",
            "--out",
            "out/task",
          ], repo);
          assert.equal(r.code, 0, r.stderr);
          await sameOutputs(`${repo}/out/task`);
        },
      );

      await t.step("from a subfolder: the manifest resolves against the recipe", async () => {
        await Deno.mkdir(`${repo}/work`);
        const r = await sh("npx", [
          "--no-install",
          "medprep",
          "run",
          "../recipes/pipeline.yaml",
          "--out",
          "../out/sub",
          "--quiet",
        ], `${repo}/work`);
        assert.equal(r.code, 0, r.stderr);
        await sameOutputs(`${repo}/out/sub`);
      });

      await t.step("nothing is written beside the package or as demo data", async () => {
        const top = (await listFiles(repo)).filter((f) => !f.startsWith("node_modules/"));
        assert.ok(!top.some((f) => f.startsWith("demo-data/")), top.join("\n"));
        const installed = await listFiles(`${repo}/node_modules/medprep`);
        assert.ok(!installed.some((f) => /demo-data|^out\/|deno\.lock\.tmp/.test(f)));
        assert.ok(installed.includes("lib/main.js") && installed.includes("src/main.ts"));
      });

      await t.step("a usage error keeps its exit code through the launcher", async () => {
        const r = await sh("npx", ["--no-install", "medprep", "run", "nope.yaml"], repo);
        assert.equal(r.code, 2, r.stderr);
      });
    } finally {
      await Deno.remove(tmp, { recursive: true });
    }
  },
});

Deno.test("deno install -g from a checkout gives a medprep command that runs outside it", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "medprep-deno-install-" });
  try {
    const root = new URL("../../", import.meta.url).pathname;
    // The command README "Use it in your dataset repository" documents, into a temporary root.
    const install = await sh(Deno.execPath(), [
      "install",
      "-g",
      "--root",
      `${tmp}/deno-root`,
      "--name",
      "medprep",
      "--config",
      `${root}deno.json`,
      "--allow-read",
      "--allow-write",
      "--allow-env",
      "--allow-sys",
      "--allow-run=git,df",
      `${root}src/main.ts`,
    ], tmp);
    assert.equal(install.code, 0, install.stderr);
    const repo = `${tmp}/my-dataset`;
    await createDatasetRepo(repo);
    const denoDir = Deno.execPath().replace(/\/[^/]+$/, "");
    const out = await new Deno.Command(`${tmp}/deno-root/bin/medprep`, {
      args: ["run", "recipes/pipeline.yaml", "--out", "out/g", "--quiet"],
      cwd: repo,
      env: { PATH: `${denoDir}:${Deno.env.get("PATH")}` },
      stderr: "piped",
    }).output();
    assert.equal(out.code, 0, decoder.decode(out.stderr));
    const files = (await listFiles(`${repo}/out/g`)).filter((f) => f.endsWith(".nii.gz"));
    assert.equal(files.length, 4);
    assert.ok(!(await listFiles(repo)).some((f) => f.startsWith("demo-data/")));
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
