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
