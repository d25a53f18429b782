/**
 * Regression tests (issue 10 item 1, issue 9 item 1, issue 10 item 8): every rendered output
 * name stays inside --out, one answer for names that differ only in letter case, and control
 * characters in ids and column names are refused at validation — in `validate --manifest`,
 * `run --dry-run` and `run` alike (exit 2, rows named, nothing written).
 */
import { deepEqual, equal, match, ok } from "node:assert/strict";
import { join } from "node:path";
import { writeNiftiSync } from "../../src/nifti/nifti_write.ts";
import { makeVolume } from "../_volumes.ts";
import { runCli } from "../cli/_run.ts";

const RECIPE = (name: string) =>
  `version: 1\nsteps:\n  - step: load\n  - step: save\n    name: "${name}"\n`;

async function setup(
  files: string[],
  manifest: string,
  template: string,
): Promise<{ dir: string; recipe: string; manifest: string }> {
  const dir = await Deno.makeTempDir({ prefix: "medprep_faults_names_" });
  await Deno.mkdir(join(dir, "in"));
  for (const f of files) writeNiftiSync(join(dir, "in", f), makeVolume({ shape: [3, 4, 5] }));
  await Deno.writeTextFile(join(dir, "m.csv"), manifest);
  await Deno.writeTextFile(join(dir, "r.yaml"), RECIPE(template));
  return { dir, recipe: join(dir, "r.yaml"), manifest: join(dir, "m.csv") };
}

/** validate --manifest, run --dry-run and run: each exit 2 with `expected` in stderr. */
async function refusedEverywhere(
  s: { dir: string; recipe: string; manifest: string },
  expected: RegExp,
): Promise<void> {
  const out = join(s.dir, "out");
  for (
    const args of [
      ["validate", s.recipe, "--manifest", s.manifest],
      ["run", s.recipe, "--manifest", s.manifest, "--out", out, "--dry-run", "--quiet"],
      ["run", s.recipe, "--manifest", s.manifest, "--out", out, "--quiet"],
    ]
  ) {
    const r = await runCli(args);
    equal(r.code, 2, `${args.slice(0, 1).join(" ")}: ${r.stdout}${r.stderr}`);
    match(r.stderr, expected, args.join(" "));
    ok(!r.stdout.includes("writes "), r.stdout);
  }
  let exists = true;
  try {
    await Deno.stat(out);
  } catch {
    exists = false;
  }
  equal(exists, false, "nothing may be written");
}

Deno.test("an input named ...nii.gz (stem ..) cannot make {stem}/{role}.nii.gz leave --out", async () => {
  const s = await setup(
    ["ok.nii.gz", "...nii.gz"],
    "id,image\na,in/ok.nii.gz\nb,in/...nii.gz\n",
    "{stem}/{role}.nii.gz",
  );
  // The file one level above --out that today's run deleted.
  const victim = join(s.dir, "image.nii.gz");
  await Deno.writeTextFile(victim, "precious");
  try {
    await refusedEverywhere(
      s,
      /row 3: Cannot write "\.\.\/image\.nii\.gz" for row 3 \(subject "b", role image\): \{stem\} is "\.\.": it is "\.\.", a directory reference/,
    );
    equal(await Deno.readTextFile(victim), "precious");
  } finally {
    await Deno.remove(s.dir, { recursive: true });
  }
});

Deno.test("an input stem that is . or empty cannot make a path segment either", async () => {
  const s = await setup(
    [".nii.gz"],
    "id,image\na,in/.nii.gz\n",
    "{stem}/{id}.nii.gz",
  );
  try {
    await refusedEverywhere(
      s,
      /row 2: Cannot write "\/a\.nii\.gz" for row 2 .*\{stem\} is "": it is empty/,
    );
  } finally {
    await Deno.remove(s.dir, { recursive: true });
  }
});

Deno.test("subjects sub and SUB: validate --manifest and run --dry-run give one answer (refused)", async () => {
  const s = await setup(
    ["1.nii.gz", "2.nii.gz"],
    "id,image\nsub,in/1.nii.gz\nSUB,in/2.nii.gz\n",
    "{id}_{role}.nii.gz",
  );
  try {
    await refusedEverywhere(
      s,
      /row 3: Cannot write "SUB_image\.nii\.gz": row 3 \(subject "SUB", role image\) and row 2 \(subject "sub", role image\) write the same file \(same name but for letter case: "sub_image\.nii\.gz"; case-insensitive file systems would overwrite it\)/,
    );
  } finally {
    await Deno.remove(s.dir, { recursive: true });
  }
});

Deno.test("control characters in ids are refused at validation with a one-line message naming the row", async () => {
  const s = await setup(
    ["1.nii.gz", "2.nii.gz", "3.nii.gz"],
    'id,image\n"a\nb",in/1.nii.gz\nc\u0000,in/2.nii.gz\n"\u001b[31mred",in/3.nii.gz\n',
    "{id}_{role}.nii.gz",
  );
  try {
    const r = await runCli(["validate", s.recipe, "--manifest", s.manifest]);
    equal(r.code, 2, r.stderr);
    const lines = r.stderr.trimEnd().split("\n");
    const why =
      "ids name output files and must not contain control characters (newline, tab, NUL, escape …)";
    deepEqual(lines, [
      `${s.manifest}:2 id: Cannot use id "a\\nb": ${why}`,
      `${s.manifest}:4 id: Cannot use id "c\\u0000": ${why}`,
      `${s.manifest}:5 id: Cannot use id "\\u001b[31mred": ${why}`,
      "manifest: 3 problems, nothing was read or written",
    ]);
    await refusedEverywhere(s, /Cannot use id "a\\nb"/);
  } finally {
    await Deno.remove(s.dir, { recursive: true });
  }
});

Deno.test("control characters in column (role) names are refused at validation", async () => {
  const s = await setup(
    ["1.nii.gz"],
    "id,ima\u001bge\na,in/1.nii.gz\n",
    "{id}_{role}.nii.gz",
  );
  try {
    await refusedEverywhere(
      s,
      /Cannot use column "ima\\u001bge" as a role: roles name output files and must not contain control characters/,
    );
  } finally {
    await Deno.remove(s.dir, { recursive: true });
  }
});
