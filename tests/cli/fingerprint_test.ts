import { equal, match, ok } from "node:assert/strict";
import { writeNiftiSync } from "../../src/nifti/nifti_write.ts";
import { makeVolume } from "../_volumes.ts";
import { createDataset } from "../runner/_dataset.ts";
import { runCli } from "./_run.ts";

/** 4 MR-like subjects (positive float32 values, no label role) plus metadata `site`. */
async function mrDataset(dir: string): Promise<string> {
  const lines = ["id,t1,site"];
  for (let n = 0; n < 4; n++) {
    writeNiftiSync(
      `${dir}/mr${n}.nii.gz`,
      makeVolume({ dtype: "float32", fn: (i, j, k) => (i * 3.5 + j * 1.25 + k + n) / 7 }),
    );
    lines.push(`mr${n},mr${n}.nii.gz,${n < 2 ? "A" : "B"}`);
  }
  await Deno.writeTextFile(`${dir}/m.csv`, lines.join("\n") + "\n");
  return `${dir}/m.csv`;
}

Deno.test("fingerprint's suggested recipe passes validate (CT set) and --recipe-out never overwrites without --force", async () => {
  const ds = await createDataset({ count: 3 });
  try {
    const yaml = `${ds.dir}/suggested.yaml`;
    const r = await runCli([
      "fingerprint",
      "--manifest",
      ds.manifest,
      "--recipe-out",
      yaml,
      "--quiet",
    ]);
    equal(r.code, 0, r.stderr);
    match(r.stdout, /^role image \(image, 3 subjects\)$/m);
    match(
      r.stdout,
      /^ {2}labels {6}0: \d+ voxels in 3 subject\(s\), 1: \d+ voxels in 3 subject\(s\), 2: \d+/m,
    );
    match(r.stdout, /^suggested recipe:\n# Suggested by medprep fingerprint/m);
    const text = await Deno.readTextFile(yaml);
    ok(r.stdout.endsWith(text.trimEnd()) || r.stdout.includes(text.trimEnd()), "printed = written");
    match(text, /- step: clip\n {4}min: -?\d/);
    match(text, /method: window/);
    const v = await runCli(["validate", yaml, "--manifest", ds.manifest]);
    equal(v.code, 0, v.stderr);
    match(v.stdout, /suggested\.yaml: ok/);
    // The suggestion runs.
    const run = await runCli([
      "run",
      yaml,
      "--manifest",
      ds.manifest,
      "--out",
      `${ds.dir}/o`,
      "--quiet",
    ]);
    equal(run.code, 0, run.stderr);
    const again = await runCli([
      "fingerprint",
      "--manifest",
      ds.manifest,
      "--recipe-out",
      yaml,
      "--quiet",
    ]);
    equal(again.code, 2);
    match(again.stderr, /--recipe-out: Cannot write ".*suggested\.yaml": it exists; give --force/);
    equal(await Deno.readTextFile(yaml), text);
    equal(
      (await runCli([
        "fingerprint",
        "--manifest",
        ds.manifest,
        "--recipe-out",
        yaml,
        "--force",
        "--quiet",
      ])).code,
      0,
    );
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});

Deno.test("fingerprint suggests MR z-score for float data without labels; --where selects subjects", async () => {
  const dir = await Deno.makeTempDir({ prefix: "medprep-fp-mr-" });
  try {
    const manifest = await mrDataset(dir);
    const r = await runCli(["fingerprint", "--manifest", manifest, "--json", "--where", "site=B"]);
    equal(r.code, 0, r.stderr);
    const fp = JSON.parse(r.stdout);
    equal(fp.subjects, 2);
    equal(fp.suggestedRecipe.modality, "mr");
    match(fp.suggestedRecipe.yaml, /method: zscore\n {4}mask: nonzero/);
    equal(fp.roles[0].intensity.foreground, null);
    await Deno.writeTextFile(`${dir}/s.yaml`, fp.suggestedRecipe.yaml);
    const v = await runCli(["validate", `${dir}/s.yaml`, "--manifest", manifest]);
    equal(v.code, 0, v.stderr);
    const ct = await runCli(["fingerprint", "--manifest", manifest, "--json", "--modality", "ct"]);
    equal(JSON.parse(ct.stdout).suggestedRecipe.modality, "ct");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("fingerprint reports an unreadable subject (exit 1) and still fingerprints the others", async () => {
  const dir = await Deno.makeTempDir({ prefix: "medprep-fp-bad-" });
  try {
    const manifest = await mrDataset(dir);
    await Deno.writeTextFile(`${dir}/mr2.nii.gz`, "not a nifti file");
    const r = await runCli(["fingerprint", "--manifest", manifest]);
    equal(r.code, 1);
    match(r.stderr, /subject "mr2" \(row 4\) could not be read: Cannot read ".*mr2\.nii\.gz"/);
    match(r.stdout, /4 subject\(s\) of .*, 1 unreadable/);
    match(r.stdout, /^role t1 \(image, 3 subjects\)$/m);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("fingerprint argument errors are exit 2", async () => {
  const dir = await Deno.makeTempDir({ prefix: "medprep-fp-args-" });
  try {
    const manifest = await mrDataset(dir);
    const none = await runCli(["fingerprint"]);
    equal(none.code, 2);
    match(none.stderr, /give exactly one of --manifest FILE or --input GLOB/);
    const label = await runCli(["fingerprint", "--manifest", manifest, "--labels", "seg"]);
    equal(label.code, 2);
    match(
      label.stderr,
      /--labels: Cannot use label role "seg": the manifest has no such role \(roles: t1\)/,
    );
    const where = await runCli(["fingerprint", "--manifest", manifest, "--where", "sit=A"]);
    equal(where.code, 2);
    match(where.stderr, /--where: Cannot select subjects by "sit=A"/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
