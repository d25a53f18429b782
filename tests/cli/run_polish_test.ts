/**
 * `run` polish of issue 14.5 through the CLI: the shell-expanded glob hint, `--id-from dir`,
 * flags without their partner, `--dry-run` (text; JSON only with `--json`; `--resume`
 * decisions with reasons), and the warning count of `--quiet`.
 */
import assert from "node:assert/strict";
import { writeNiftiSync } from "../../src/nifti/nifti_write.ts";
import { makeVolume } from "../_volumes.ts";
import { createDataset, readTree } from "../runner/_dataset.ts";
import { runCli } from "./_run.ts";

const SIMPLE = "version: 1\nsteps:\n  - step: load\n  - step: save\n";

Deno.test("run: an unquoted --input glob expanded by the shell is refused with the quoted pattern", async () => {
  const ds = await createDataset({ count: 3, recipe: SIMPLE });
  try {
    const r = await runCli([
      "run",
      "recipe.yaml",
      "--input",
      "in/sub-01_ct.nii.gz",
      "in/sub-02_ct.nii.gz",
      "in/sub-03_ct.nii.gz",
      "--out",
      "out",
    ], { cwd: ds.dir });
    assert.equal(r.code, 2);
    assert.equal(
      r.stderr.split("\n")[0],
      `--input: Cannot use --input "in/sub-01_ct.nii.gz" followed by 2 more files ("in/sub-02_ct.nii.gz"…): the shell expanded an unquoted glob; quote it, e.g. --input 'in/*_ct.nii.gz'`,
    );
    assert.equal(await Deno.stat(`${ds.dir}/out`).catch(() => null), null);
    const quoted = await runCli(
      ["run", "recipe.yaml", "--input", "in/*_ct.nii.gz", "--out", "out", "--quiet"],
      { cwd: ds.dir },
    );
    assert.equal(quoted.code, 0, quoted.stderr);
    assert.deepEqual(
      [...(await readTree(`${ds.dir}/out`)).keys()].filter((f) => f.endsWith(".nii.gz")).sort(),
      ["sub-01_ct_image.nii.gz", "sub-02_ct_image.nii.gz", "sub-03_ct_image.nii.gz"],
    );
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});

Deno.test("run --input 'data/*/t1.nii.gz' --id-from dir takes each id from the parent folder", async () => {
  const ds = await createDataset({ count: 2, recipe: SIMPLE });
  try {
    for (const id of ds.ids) {
      await Deno.mkdir(`${ds.dir}/data/${id}`, { recursive: true });
      await Deno.copyFile(`${ds.dir}/in/${id}_ct.nii.gz`, `${ds.dir}/data/${id}/t1.nii.gz`);
    }
    const r = await runCli(
      ["run", "recipe.yaml", "--input", "data/*/t1.nii.gz", "--id-from", "dir", "--out", "out"],
      { cwd: ds.dir },
    );
    assert.equal(r.code, 0, r.stderr);
    const p = JSON.parse(await Deno.readTextFile(`${ds.dir}/out/provenance.json`));
    assert.deepEqual(p.subjects.map((s: { id: string }) => s.id), ["sub-01", "sub-02"]);
    assert.ok(p.subjects[1].inputs[0].path.endsWith("data/sub-02/t1.nii.gz"));
    assert.ok((await Deno.stat(`${ds.dir}/out/sub-02_image.nii.gz`)).isFile);
    // Without it, every file is called "t1": refused, with the hint.
    const stems = await runCli(
      ["run", "recipe.yaml", "--input", "data/*/t1.nii.gz", "--out", "out2"],
      { cwd: ds.dir },
    );
    assert.equal(stems.code, 2);
    assert.match(stems.stderr, /Cannot use id "t1" twice.*add --id-from dir/);
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});

Deno.test("run: --shard-count, --copy, --id-from, --json without their partner flags exit 2", async () => {
  const ds = await createDataset({ count: 1, recipe: SIMPLE });
  const base = ["run", ds.recipe, "--manifest", ds.manifest, "--out", `${ds.dir}/out`];
  try {
    for (
      const [args, expected] of [
        [["--shard-count", "3"], "--shard-count: Cannot use --shard-count without --shard auto"],
        [
          ["--shard", "1/2", "--shard-count", "2"],
          "--shard-count: Cannot use --shard-count without --shard auto",
        ],
        [["--copy", "1"], "--copy: Cannot use --copy without --replay"],
        [["--id-from", "dir"], "--id-from: Cannot use --id-from without --input"],
        [["--json"], "--json: Cannot use --json without --dry-run"],
      ] as [string[], string][]
    ) {
      const r = await runCli([...base, ...args]);
      assert.equal(r.code, 2, args.join(" "));
      assert.ok(r.stderr.startsWith(expected), r.stderr);
    }
    assert.equal(await Deno.stat(`${ds.dir}/out`).catch(() => null), null);
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});

Deno.test("run --dry-run prints a readable plan; --json prints only the planned provenance", async () => {
  const ds = await createDataset({ count: 2, recipe: SIMPLE });
  const base = ["run", ds.recipe, "--manifest", ds.manifest, "--out", `${ds.dir}/out`];
  try {
    const text = await runCli([...base, "--dry-run"]);
    assert.equal(text.code, 0, text.stderr);
    assert.ok(!text.stdout.includes("{"), text.stdout);
    assert.match(text.stdout, /^subject "sub-01" \(row 2\):\n {2}image: 12x10x8 @ /);
    assert.match(
      text.stdout,
      /\ndry run: 2 subjects, 4 files planned, nothing written; --json prints the planned provenance\n$/,
    );
    const json = await runCli([...base, "--dry-run", "--json"]);
    assert.equal(json.code, 0, json.stderr);
    const planned = JSON.parse(json.stdout);
    assert.equal(planned.status, "planned");
    assert.deepEqual(planned.subjects.map((s: { id: string }) => s.id), ["sub-01", "sub-02"]);
    assert.equal(await Deno.stat(`${ds.dir}/out`).catch(() => null), null);
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});

Deno.test("run --dry-run --resume says which subjects would be kept or rebuilt and why", async () => {
  const ds = await createDataset({ count: 4, recipe: SIMPLE });
  const out = `${ds.dir}/out`;
  const base = ["run", ds.recipe, "--manifest", ds.manifest, "--out", out];
  try {
    const first = await runCli([...base, "--limit", "3", "--quiet"]);
    assert.equal(first.code, 0, first.stderr);
    await Deno.remove(`${out}/sub-02_label.nii.gz`);
    writeNiftiSync(`${ds.dir}/in/sub-03_ct.nii.gz`, makeVolume({ shape: [12, 10, 8] }));
    const before = await readTree(out);
    const r = await runCli([...base, "--dry-run", "--resume"]);
    assert.equal(r.code, 0, r.stderr);
    const decisions = r.stdout.split("\n").filter((l) => l.startsWith("  --resume"));
    assert.deepEqual(decisions, [
      "  --resume keeps it: finished; inputs, recipe, medprep and outputs unchanged",
      "  --resume rebuilds it: output missing",
      "  --resume rebuilds it: input changed",
      "  --resume builds it: not in the earlier run",
    ]);
    assert.match(r.stdout, /dry run: 4 subjects \(--resume: 1 kept, 2 rebuilt, 1 built\)/);
    const json = JSON.parse((await runCli([...base, "--dry-run", "--resume", "--json"])).stdout);
    assert.deepEqual(json.subjects.map((s: { resume: { action: string } }) => s.resume.action), [
      "keep",
      "rebuild",
      "rebuild",
      "build",
    ]);
    // Nothing was written or removed.
    assert.deepEqual(await readTree(out), before);
    // What the real --resume then does agrees with the dry run.
    const real = await runCli([...base, "--resume"]);
    assert.equal(real.code, 0, real.stderr);
    assert.match(real.stderr, /--resume rebuilds "sub-02": output missing/);
    assert.match(real.stderr, /--resume rebuilds "sub-03": input changed/);
    assert.match(real.stderr, /--resume keeps 1 finished subject/);
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});

Deno.test("run --quiet prints no progress but keeps the warning count", async () => {
  const recipe =
    "version: 1\nsteps:\n  - step: load\n    labels: [label]\n  - step: normalize\n    method: zscore\n  - step: save\n";
  const ds = await createDataset({ count: 2, recipe });
  try {
    // A constant image: zscore warns (std is 0).
    writeNiftiSync(
      `${ds.dir}/in/sub-01_ct.nii.gz`,
      makeVolume({ shape: [12, 10, 8], fn: () => 7 }),
    );
    const base = ["run", ds.recipe, "--manifest", ds.manifest];
    const quiet = await runCli([...base, "--out", `${ds.dir}/q`, "--quiet"]);
    assert.equal(quiet.code, 0, quiet.stderr);
    assert.equal(
      quiet.stderr,
      `medprep: 1 warning (not shown with --quiet; each is in ${ds.dir}/q/provenance.json)\n`,
    );
    const loud = await runCli([...base, "--out", `${ds.dir}/l`]);
    assert.equal(loud.code, 0, loud.stderr);
    assert.match(loud.stderr, /medprep: warning: subject "sub-01": .*std is 0/);
    assert.match(loud.stderr, /medprep: 2 done, 0 failed, 0 not finished, 1 warning; provenance: /);
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});
