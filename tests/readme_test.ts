import assert from "node:assert/strict";
import { renderStepsTable } from "../tools/readme_steps.ts";
import { STEPS } from "../src/steps/registry.ts";
import { readNifti } from "../src/nifti/nifti_read.ts";

const README = new URL("../README.md", import.meta.url);

/** Table rows as trimmed cells, ignoring alignment padding and the separator row. */
function cells(table: string): string[][] {
  return table.split("\n")
    .filter((l) => l.trim().startsWith("|") && !/^\|[\s|:-]+\|$/.test(l.trim()))
    .map((l) => l.trim().slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim()));
}

Deno.test("README step table matches the step registry", () => {
  const text = Deno.readTextFileSync(README);
  const section = text.split("<!-- steps-table:start -->")[1]?.split("<!-- steps-table:end -->")[0];
  assert.ok(section, "README.md lacks the steps-table markers");
  assert.deepEqual(
    cells(section),
    cells(renderStepsTable()),
    "README.md is out of date: run `deno task readme-steps`",
  );
  assert.equal(cells(section).length, STEPS.length + 1);
});

Deno.test("README names the two first commands", () => {
  const text = Deno.readTextFileSync(README);
  assert.match(text, /bin\/medprep run pipelines\/demo\.yaml/);
  assert.match(text, /script\/test/);
});

const ROOT = new URL("../", import.meta.url);

/** The first ```ts block of the README section titled `heading`. */
function snippet(text: string, heading: string): string {
  const section = text.split(`\n## ${heading}\n`)[1]?.split("\n## ")[0];
  assert.ok(section, `README.md lacks the section "${heading}"`);
  const code = section.match(/```ts\n([\s\S]*?)```/)?.[1];
  assert.ok(code, `README.md section "${heading}" has no ts code block`);
  return code;
}

Deno.test("README 'Use as a library' example runs against mod.ts and writes what it says", async () => {
  const code = snippet(Deno.readTextFileSync(README), "Use as a library");
  assert.match(code, /from "\.\/mod\.ts"/);
  const dir = await Deno.makeTempDir({ prefix: "medprep-readme-" });
  try {
    const file = `${dir}/example.ts`;
    await Deno.writeTextFile(
      file,
      code.replaceAll('"./mod.ts"', JSON.stringify(new URL("mod.ts", ROOT).href)),
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--quiet",
        "--config",
        new URL("deno.json", ROOT).pathname,
        `--allow-read=${dir},${ROOT.pathname}`,
        `--allow-write=${dir}`,
        file,
      ],
      cwd: dir,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, stderr);
    // 5·0.9 = 4.5 → 4 (half to even), 6·1.1 = 6.6 → 7, 7·2.5 = 17.5 → 18 voxels of 1 mm.
    assert.equal(new TextDecoder().decode(out.stdout).trim(), "int16 5x6x7 4x7x18 4x4x4");
    const { volume } = await readNifti(`${dir}/scan_1mm_box.nii.gz`);
    assert.deepEqual(volume.shape, [4, 4, 4]);
    // SPEC §2: a linear resample's values are real numbers (float64 without a bound plan's
    // word that only a save sees them); only save rounds.
    assert.equal(volume.dtype, "float64");
    const original = await readNifti(`${dir}/scan.nii.gz`);
    assert.deepEqual(original.volume.shape, [5, 6, 7]);
    // 1 mm voxels: every column of the box's affine has norm 1.
    for (let c = 0; c < 3; c++) {
      const norm = Math.hypot(volume.affine[0][c], volume.affine[1][c], volume.affine[2][c]);
      assert.ok(Math.abs(norm - 1) < 1e-9, `column ${c}: ${norm}`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
