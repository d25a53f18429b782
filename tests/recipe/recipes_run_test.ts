import assert from "node:assert/strict";
import { readNiftiSync } from "../../src/nifti/nifti_read.ts";
import { writeNiftiSync } from "../../src/nifti/nifti_write.ts";
import { readRecipe } from "../../src/recipe/validate.ts";
import { makeVolume, obliqueAffine } from "../_volumes.ts";
import { runCli } from "../cli/_run.ts";

const PIPELINES = new URL("../../pipelines/", import.meta.url);
// The issue-12 examples need their own demo data (four MR roles, a brain mask): they run in
// example_recipes_test.ts.
const OWN_DATA = ["nnunet-ct.yaml", "brats-multimodal.yaml"];
const files = [...Deno.readDirSync(PIPELINES)].map((e) => e.name).filter((n) => /\.ya?ml$/.test(n))
  .filter((n) => !OWN_DATA.includes(n)).sort();

/** A small CT-like subject (int16 HU, oblique 2 × 2.2 × 3 mm grid) with a label cube. */
function writeSubject(dir: string, id: string, shift: number): string {
  const shape: [number, number, number] = [21, 18, 13];
  const affine = obliqueAffine([2, 2.2, 3]);
  const inside = (i: number, j: number, k: number) =>
    Math.abs(i - 10 - shift) <= 4 && Math.abs(j - 9) <= 4 && Math.abs(k - 6) <= 3;
  const image = makeVolume({
    shape,
    affine,
    fn: (i, j, k) => (inside(i, j, k) ? 60 + i : -1000 + 7 * ((i * 31 + j * 17 + k) % 50)),
  });
  const label = makeVolume({
    shape,
    affine,
    dtype: "uint8",
    fn: (i, j, k) => (inside(i, j, k) ? 2 : 0),
  });
  writeNiftiSync(`${dir}/${id}_ct.nii.gz`, image);
  writeNiftiSync(`${dir}/${id}_seg.nii.gz`, label);
  return `${id},${id}_ct.nii.gz,${id}_seg.nii.gz`;
}

for (const name of files) {
  Deno.test(`pipelines/${name} runs end to end on a small CT + label manifest`, async () => {
    const dir = Deno.makeTempDirSync({ prefix: "medprep-pipelines-" });
    try {
      const rows = ["id,image,label", writeSubject(dir, "s1", 0), writeSubject(dir, "s2", 2)];
      Deno.writeTextFileSync(`${dir}/manifest.csv`, rows.join("\n") + "\n");
      const out = `${dir}/out`;
      const r = await runCli([
        "run",
        new URL(name, PIPELINES).pathname,
        "--manifest",
        `${dir}/manifest.csv`,
        "--out",
        out,
        "--quiet",
      ]);
      assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr}`);
      const { recipe } = await readRecipe(new URL(name, PIPELINES).pathname);
      const copies = recipe.steps.reduce(
        (n, s) => n * (typeof s.params.copies === "number" ? s.params.copies : 1),
        1,
      );
      const written = [...Deno.readDirSync(out)].map((e) => e.name).filter((n) =>
        /\.nii(\.gz)?$/.test(n)
      );
      assert.equal(written.length, 2 * 2 * copies, written.join(", "));
      const provenance = JSON.parse(Deno.readTextFileSync(`${out}/provenance.json`));
      assert.deepEqual(provenance.subjects.map((s: { status: string }) => s.status), [
        "done",
        "done",
      ]);
      for (const f of written) {
        const { volume } = readNiftiSync(`${out}/${f}`);
        assert.ok(volume.data.length > 0);
        if (/seg|label/.test(f)) {
          const values = new Set(Array.from(volume.data as Uint8Array, Number));
          assert.ok(
            [...values].every((v) => v === 0 || v === 2),
            `${f}: label values ${[...values]}`,
          );
        }
      }
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  });
}
