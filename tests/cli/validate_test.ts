import { deepEqual, equal, ok } from "node:assert/strict";
import { join } from "node:path";
import { runCli } from "./_run.ts";

async function tempRecipe(text: string): Promise<{ dir: string; path: string }> {
  const dir = await Deno.makeTempDir({ prefix: "medprep_validate_" });
  const path = join(dir, "r.yaml");
  await Deno.writeTextFile(path, text);
  return { dir, path };
}

Deno.test("validate prints ok with the step count and exits 0", async () => {
  const { dir, path } = await tempRecipe("version: 1\nsteps:\n  - step: load\n  - step: save\n");
  const r = await runCli(["validate", path]);
  equal(r.code, 0, r.stderr);
  equal(r.stdout, `${path}: ok (2 steps)\n`);
  deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["r.yaml"]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("validate prints every issue as file:line:col path: message and exits 2", async () => {
  const { dir, path } = await tempRecipe(
    "version: 1\nsteps:\n  - step: load\n  - step: normalise\n  - step: clip\n    min: 5\n    max: 1\n  - step: save\n",
  );
  const r = await runCli(["validate", path]);
  equal(r.code, 2);
  equal(r.stdout, "");
  deepEqual(r.stderr.trimEnd().split("\n"), [
    `${path}:4:11 steps[1].step: Cannot use step "normalise": no such step; did you mean \`normalize\`?`,
    `${path}:7:10 steps[2].max: min must be < max`,
    `${path}: 2 problems, nothing was read or written`,
  ]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("validate names a missing recipe file and exits 2", async () => {
  const r = await runCli(["validate", "/nonexistent/r.yaml"]);
  equal(r.code, 2);
  ok(r.stderr.startsWith('Cannot read recipe "/nonexistent/r.yaml": file not found'), r.stderr);
});

Deno.test("validate --manifest also checks the manifest against the recipe", async () => {
  const { dir, path } = await tempRecipe(
    "version: 1\nsteps:\n  - step: load\n    roles: [image, t2]\n  - step: save\n",
  );
  await Deno.writeTextFile(join(dir, "a.nii.gz"), "");
  await Deno.writeTextFile(join(dir, "m.csv"), "id,image\na,a.nii.gz\nb,missing.nii.gz\n");
  const bad = await runCli(["validate", path, "--manifest", join(dir, "m.csv")]);
  equal(bad.code, 2);
  ok(
    bad.stderr.includes(`${join(dir, "m.csv")}:3 image: Cannot find "missing.nii.gz"`),
    bad.stderr,
  );
  await Deno.writeTextFile(join(dir, "m.csv"), "id,image\na,a.nii.gz\n");
  const noRole = await runCli(["validate", path, "--manifest", join(dir, "m.csv")]);
  equal(noRole.code, 2);
  ok(noRole.stderr.includes('Cannot use role "t2" of steps[0].roles'), noRole.stderr);
  await Deno.writeTextFile(path, "version: 1\nsteps:\n  - step: load\n  - step: save\n");
  const good = await runCli(["validate", path, "--input", join(dir, "*.nii.gz")]);
  equal(good.code, 0, good.stderr);
  equal(good.stdout, `${path}: ok (2 steps, 1 subject in ${join(dir, "*.nii.gz")})\n`);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("validate takes several recipes: checks each, reports each, exit 2 if any is invalid", async () => {
  const good = await tempRecipe("version: 1\nsteps:\n  - step: load\n  - step: save\n");
  const bad = await tempRecipe(
    "version: 1\nsteps:\n  - step: load\n  - step: clip\n    min: 5\n    max: 1\n  - step: save\n",
  );
  try {
    const both = await runCli(["validate", good.path, bad.path, good.path]);
    equal(both.code, 2);
    equal(
      both.stdout,
      `${good.path}: ok (2 steps)\n${good.path}: ok (2 steps)\n2 of 3 recipes valid\n`,
    );
    deepEqual(both.stderr.trimEnd().split("\n"), [
      `${bad.path}:6:10 steps[1].max: min must be < max`,
      `${bad.path}: 1 problem, nothing was read or written`,
    ]);
    const ok2 = await runCli(["validate", good.path, good.path]);
    equal(ok2.code, 0, ok2.stderr);
    ok(ok2.stdout.endsWith("2 of 2 recipes valid\n"), ok2.stdout);
  } finally {
    await Deno.remove(good.dir, { recursive: true });
    await Deno.remove(bad.dir, { recursive: true });
  }
});

Deno.test("validate --input: a shell-expanded glob gets the quoted pattern; --id-from dir", async () => {
  const { dir } = await tempRecipe("version: 1\nsteps:\n  - step: load\n  - step: save\n");
  try {
    for (const s of ["a", "b", "c"]) {
      await Deno.mkdir(join(dir, "data", s), { recursive: true });
      await Deno.writeTextFile(join(dir, "data", s, "t1.nii.gz"), "");
    }
    // What `validate r.yaml --input data/*/t1.nii.gz` (unquoted) passes after the shell.
    const expanded = await runCli(
      ["validate", "r.yaml", "--input", "data/a/t1.nii.gz", "data/b/t1.nii.gz", "data/c/t1.nii.gz"],
      { cwd: dir },
    );
    equal(expanded.code, 2);
    equal(
      expanded.stderr.split("\n")[0],
      `--input: Cannot use --input "data/a/t1.nii.gz" followed by 2 more files ("data/b/t1.nii.gz"…): the shell expanded an unquoted glob; quote it, e.g. --input 'data/*/t1.nii.gz' --id-from dir`,
    );
    const stems = await runCli(["validate", "r.yaml", "--input", "data/*/t1.nii.gz"], { cwd: dir });
    equal(stems.code, 2);
    ok(stems.stderr.includes('Cannot use id "t1" twice'), stems.stderr);
    ok(stems.stderr.includes("add --id-from dir"), stems.stderr);
    const dirs = await runCli(
      ["validate", "r.yaml", "--input", "data/*/t1.nii.gz", "--id-from", "dir"],
      { cwd: dir },
    );
    equal(dirs.code, 0, dirs.stderr);
    equal(dirs.stdout, "r.yaml: ok (2 steps, 3 subjects in data/*/t1.nii.gz)\n");
    const alone = await runCli(["validate", "r.yaml", "--id-from", "dir"], { cwd: dir });
    equal(alone.code, 2);
    ok(alone.stderr.startsWith("--id-from: Cannot use --id-from without --input"), alone.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
