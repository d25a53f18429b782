import assert from "node:assert/strict";
import { runBatch } from "../../src/runner/batch.ts";
import { sha256Bytes } from "../../src/nifti/hash.ts";
import { createDataset, readTree } from "./_dataset.ts";
import { checkPngInPython, HAVE_SCIPY } from "../preview/_png_python.ts";

const RECIPE = (preview: string) =>
  `version: 1
name: previews
seed: 3
steps:
  - step: load
    labels: [label]
  - step: resample-to-spacing
    spacing: [1.5, 1.5, 2]
  - step: save
    name: "{id}/{role}.nii.gz"
${preview}`;

interface Out {
  path: string;
  sha256: string;
  size: number;
  previewOf?: string;
  dtype: string;
}

Deno.test("save preview: one PNG per output, staged, hashed and recorded (previewOf)", async () => {
  const ds = await createDataset({ count: 3, recipe: RECIPE("    preview: true\n") });
  try {
    const base = { quiet: true, command: ["test"], recipe: ds.recipe, manifest: ds.manifest };
    const out = `${ds.dir}/out`;
    assert.equal(await runBatch({ ...base, out, workers: 2 }), 0);
    const tree = await readTree(out);
    const prov = JSON.parse(new TextDecoder().decode(tree.get("provenance.json")));
    for (const s of prov.subjects) {
      const outputs = s.outputs as Out[];
      const volumes = outputs.filter((o) => !o.previewOf).map((o) => o.path).sort();
      assert.deepEqual(volumes, [`${s.id}/image.nii.gz`, `${s.id}/label.nii.gz`]);
      const previews = outputs.filter((o) => o.previewOf);
      assert.deepEqual(
        previews.map((o) => [o.previewOf, o.path, o.dtype]).sort(),
        [
          [`${s.id}/image.nii.gz`, `${s.id}/image.png`, "png"],
          [`${s.id}/label.nii.gz`, `${s.id}/label.png`, "png"],
        ],
      );
      for (const o of previews) {
        const bytes = tree.get(o.path)!;
        assert.equal(o.sha256, sha256Bytes(bytes), `${o.path}: recorded hash of the bytes`);
        assert.equal(o.size, bytes.length);
      }
    }
    const names = [...tree.keys()].sort();
    assert.deepEqual(names.filter((n) => n.includes(".medprep-tmp")), [], "no staged leftovers");
    assert.equal(names.filter((n) => n.endsWith(".png")).length, 6);

    // Deterministic: one worker, another folder, same bytes; --resume keeps every subject.
    const again = `${ds.dir}/again`;
    assert.equal(await runBatch({ ...base, out: again, workers: 1 }), 0);
    const tree2 = await readTree(again);
    for (const n of names.filter((x) => x.endsWith(".png"))) {
      assert.deepEqual(tree2.get(n), tree.get(n), n);
    }
    assert.equal(await runBatch({ ...base, out, resume: true, workers: 1 }), 0);
    const after = JSON.parse(await Deno.readTextFile(`${out}/provenance.json`));
    assert.deepEqual(
      after.subjects.map((s: { outputs: Out[] }) => s.outputs.map((o) => o.sha256)),
      prov.subjects.map((s: { outputs: Out[] }) => s.outputs.map((o) => o.sha256)),
    );
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});

Deno.test("run --preview writes the previews save: { preview: true } writes, recorded in the recipe", async () => {
  const ds = await createDataset({ count: 2, recipe: RECIPE("") });
  try {
    const base = { quiet: true, command: ["test"], recipe: ds.recipe, manifest: ds.manifest };
    const plain = `${ds.dir}/plain`;
    assert.equal(await runBatch({ ...base, out: plain, workers: 1 }), 0);
    assert.deepEqual([...(await readTree(plain)).keys()].filter((n) => n.endsWith(".png")), []);
    const out = `${ds.dir}/out`;
    assert.equal(await runBatch({ ...base, out, workers: 1, preview: true }), 0);
    const prov = JSON.parse(await Deno.readTextFile(`${out}/provenance.json`));
    assert.equal(prov.recipe.resolved.steps.at(-1).params.preview, true);
    const pngs = [...(await readTree(out)).keys()].filter((n) => n.endsWith(".png")).sort();
    assert.deepEqual(pngs, [
      "sub-01/image.png",
      "sub-01/label.png",
      "sub-02/image.png",
      "sub-02/label.png",
    ]);
    // The same bytes as the recipe's own preview: true.
    const written = RECIPE("    preview: true\n");
    await Deno.writeTextFile(ds.recipe, written);
    const viaRecipe = `${ds.dir}/via-recipe`;
    assert.equal(await runBatch({ ...base, out: viaRecipe, workers: 1 }), 0);
    const [a, b] = [await readTree(out), await readTree(viaRecipe)];
    for (const n of pngs) assert.deepEqual(a.get(n), b.get(n), n);
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});

Deno.test("save preview PNGs decode (python) to a non-blank picture with the label outlined", {
  ignore: !HAVE_SCIPY,
}, async () => {
  const ds = await createDataset({ count: 1, recipe: RECIPE("    preview: true\n") });
  try {
    const out = `${ds.dir}/out`;
    const base = { quiet: true, command: ["test"], recipe: ds.recipe, manifest: ds.manifest };
    assert.equal(await runBatch({ ...base, out, workers: 1 }), 0);
    const got = await checkPngInPython(
      `${out}/sub-01/image.png`,
      `
rgb = img.astype(int)
colored = (rgb[..., 0] != rgb[..., 1]) | (rgb[..., 1] != rgb[..., 2])
grey = rgb[~colored][:, 0]
out = {'w': int(img.shape[1]), 'h': int(img.shape[0]), 'std': float(grey.std()),
       'red': int(((rgb[..., 0] == 230) & (rgb[..., 1] == 25) & (rgb[..., 2] == 75)).sum()),
       'green': int(((rgb[..., 0] == 60) & (rgb[..., 1] == 180) & (rgb[..., 2] == 75)).sum())}
`,
      {},
    ) as { w: number; h: number; std: number; red: number; green: number };
    assert.ok(got.w > 300 && got.h > 150, `size ${got.w}×${got.h}`);
    assert.ok(got.std > 20, "not blank");
    // The fixture's label holds values 1 and 2: both outline colours appear.
    assert.ok(got.red > 0 && got.green > 0, JSON.stringify(got));
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});
