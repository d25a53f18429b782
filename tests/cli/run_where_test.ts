import { deepEqual, equal, match } from "node:assert/strict";
import { createDataset } from "../runner/_dataset.ts";
import { runCli } from "./_run.ts";

const SIMPLE =
  'version: 1\nsteps:\n  - step: load\n  - step: save\n    name: "{id}_{role}.nii.gz"\n';

/** A dataset of 6 subjects whose manifest has `fold` (0,1,2,0,1,2) and `site` metadata. */
async function foldedDataset() {
  const ds = await createDataset({ count: 6, recipe: SIMPLE });
  const lines = (await Deno.readTextFile(ds.manifest)).trim().split("\n");
  const rows = lines.slice(1).map((l, n) => `${l},${n % 3},${n < 3 ? "A" : "B"}`);
  await Deno.writeTextFile(ds.manifest, [`${lines[0]},fold,site`, ...rows].join("\n") + "\n");
  return ds;
}

async function subjectsOf(path: string): Promise<string[]> {
  const p = JSON.parse(await Deno.readTextFile(path));
  return p.subjects.filter((s: { status: string }) => s.status === "done")
    .map((s: { id: string }) => s.id);
}

Deno.test("run --where fold!=0 processes only the matching subjects; conditions AND", async () => {
  const ds = await foldedDataset();
  const out = `${ds.dir}/out`;
  try {
    const r = await runCli([
      "run",
      ds.recipe,
      "--manifest",
      ds.manifest,
      "--out",
      out,
      "--quiet",
      "--where",
      "fold!=0",
    ]);
    equal(r.code, 0, r.stderr);
    deepEqual(await subjectsOf(`${out}/provenance.json`), ["sub-02", "sub-03", "sub-05", "sub-06"]);
    const names = [...Deno.readDirSync(out)].map((e) => e.name).filter((n) =>
      n.endsWith(".nii.gz")
    );
    equal(names.length, 8);
    equal(names.some((n) => n.startsWith("sub-01") || n.startsWith("sub-04")), false);
    const both = await runCli([
      "run",
      ds.recipe,
      "--manifest",
      ds.manifest,
      "--out",
      `${ds.dir}/out2`,
      "--quiet",
      "--where",
      "fold in 1,2",
      "--where",
      "site=B",
    ]);
    equal(both.code, 0, both.stderr);
    deepEqual(await subjectsOf(`${ds.dir}/out2/provenance.json`), ["sub-05", "sub-06"]);
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});

Deno.test("run --where with --shard splits the selected subjects; shards cover them once", async () => {
  const ds = await foldedDataset();
  const out = `${ds.dir}/out`;
  try {
    const seen: string[] = [];
    for (const shard of ["1/2", "2/2"]) {
      const r = await runCli([
        "run",
        ds.recipe,
        "--manifest",
        ds.manifest,
        "--out",
        out,
        "--quiet",
        "--where",
        "fold!=0",
        "--shard",
        shard,
      ]);
      equal(r.code, 0, r.stderr);
      const file = `${out}/provenance.shard-${shard.replace("/", "-of-")}.json`;
      const p = JSON.parse(await Deno.readTextFile(file));
      deepEqual(p.shard.all, ["sub-02", "sub-03", "sub-05", "sub-06"]);
      seen.push(...await subjectsOf(file));
    }
    deepEqual(seen.sort(), ["sub-02", "sub-03", "sub-05", "sub-06"]);
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});

Deno.test("run --where with --resume keeps finished matching subjects and runs the rest", async () => {
  const ds = await foldedDataset();
  const out = `${ds.dir}/out`;
  const base = ["run", ds.recipe, "--manifest", ds.manifest, "--out", out];
  try {
    equal((await runCli([...base, "--quiet", "--where", "fold!=0"])).code, 0);
    const again = await runCli([...base, "--resume", "--where", "fold!=0"]);
    equal(again.code, 0, again.stderr);
    match(again.stderr, /--resume keeps 4 finished subject/);
    deepEqual(await subjectsOf(`${out}/provenance.json`), ["sub-02", "sub-03", "sub-05", "sub-06"]);
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});

Deno.test("load: { where } selects subjects; bad conditions are exit 2 with positions", async () => {
  const ds = await foldedDataset();
  const out = `${ds.dir}/out`;
  try {
    const recipe = `${ds.dir}/where.yaml`;
    await Deno.writeTextFile(
      recipe,
      'version: 1\nsteps:\n  - step: load\n    where: [fold=0, "site in A"]\n  - step: save\n    name: "{id}_{role}.nii.gz"\n',
    );
    const r = await runCli(["run", recipe, "--manifest", ds.manifest, "--out", out, "--quiet"]);
    equal(r.code, 0, r.stderr);
    deepEqual(await subjectsOf(`${out}/provenance.json`), ["sub-01"]);

    await Deno.writeTextFile(
      recipe,
      "version: 1\nsteps:\n  - step: load\n    where: fold==0\n  - step: save\n",
    );
    const syntax = await runCli(["validate", recipe]);
    equal(syntax.code, 2);
    match(
      syntax.stderr,
      /where\.yaml:4:12 steps\[0\]\.where: Cannot parse the condition: write `=`, not `==` \(character 6/,
    );

    await Deno.writeTextFile(
      recipe,
      "version: 1\nsteps:\n  - step: load\n    where: folds!=0\n  - step: save\n",
    );
    const column = await runCli([
      "run",
      recipe,
      "--manifest",
      ds.manifest,
      "--out",
      `${ds.dir}/o3`,
    ]);
    equal(column.code, 2);
    match(
      column.stderr,
      /Cannot select subjects by "folds!=0" \(steps\[0\]\.where\): the manifest has no such column; did you mean `fold`\?/,
    );
    equal(await Deno.stat(`${ds.dir}/o3`).then(() => true, () => false), false);

    const cli = await runCli([
      "run",
      ds.recipe,
      "--manifest",
      ds.manifest,
      "--out",
      `${ds.dir}/o4`,
      "--where",
      "fold<1",
    ]);
    equal(cli.code, 2);
    match(
      cli.stderr,
      /^--where: Cannot parse the condition: expected `=`, `!=`, `in` or `not in` after the column name \(character 5 of "fold<1"\)$/m,
    );
    const role = await runCli([
      "run",
      ds.recipe,
      "--manifest",
      ds.manifest,
      "--out",
      `${ds.dir}/o4`,
      "--where",
      "image=x",
    ]);
    equal(role.code, 2);
    match(role.stderr, /it is a role \(a path column\)/);
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});
