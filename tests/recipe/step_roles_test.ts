/**
 * Roles and files steps name (src/recipe/step_roles.ts): `mask: <role>`, `onto`, `roles` must be
 * loaded by the recipe (file:line:col when the recipe lists its roles; against the manifest's
 * columns otherwise), a role removed by `dropOnto` cannot be used later, and a `reference` file
 * is resolved against the recipe's folder and must exist.
 */
import assert from "node:assert/strict";
import { formatIssue, ManifestError, RecipeError } from "../../src/errors.ts";
import { bindManifest } from "../../src/recipe/bind_manifest.ts";
import { validateRecipePlan } from "../../src/recipe/validate.ts";
import type { Manifest } from "../../src/manifest/types.ts";

function issues(text: string, file = "/recipes/r.yaml"): string[] {
  try {
    validateRecipePlan(text, file);
  } catch (e) {
    if (e instanceof RecipeError) return e.issues.map(formatIssue);
    throw e;
  }
  return [];
}

Deno.test("validateRecipePlan reports a mask or onto role the recipe does not load, at file:line:col", () => {
  const text = `version: 1
steps:
  - step: load
    roles: [image, label]
  - step: clip
    percentiles: [1, 99]
    mask: brainmask
  - step: normalize
    method: zscore
    mask: label
  - step: resample-to-reference
    onto: ct
  - step: save
`;
  assert.deepEqual(issues(text), [
    '/recipes/r.yaml:7:11 steps[1].mask: Cannot use role "brainmask": the recipe does not load it (load roles: image, label)',
    '/recipes/r.yaml:12:11 steps[3].onto: Cannot use role "ct": the recipe does not load it (load roles: image, label)',
  ]);
});

Deno.test("validateRecipePlan reports a role used after dropOnto removed it", () => {
  const text = `version: 1
steps:
  - step: load
  - step: resample-to-reference
    onto: tmpl
    dropOnto: true
  - step: normalize
    method: zscore
    mask: tmpl
  - step: save
`;
  assert.deepEqual(issues(text), [
    '/recipes/r.yaml:9:11 steps[2].mask: Cannot use role "tmpl": steps[1] removed it',
  ]);
});

Deno.test("validateRecipePlan resolves reference against the recipe's folder and reports a missing file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/grids`);
    await Deno.writeFile(`${dir}/grids/t.nii.gz`, new Uint8Array([1]));
    const text = (ref: string) =>
      `version: 1\nsteps:\n  - step: load\n  - step: resample-to-reference\n    reference: ${ref}\n  - step: save\n`;
    const { recipe } = validateRecipePlan(text("grids/t.nii.gz"), `${dir}/r.yaml`);
    assert.equal(recipe.steps[1].params.reference, `${dir}/grids/t.nii.gz`);
    assert.deepEqual(issues(text("grids/none.nii.gz"), `${dir}/r.yaml`), [
      `${dir}/r.yaml:5:16 steps[1].reference: Cannot read "${dir}/grids/none.nii.gz": file not found`,
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("bindManifest reports a mask role that is not a manifest column when the recipe does not list roles", () => {
  const { plan } = validateRecipePlan(
    "version: 1\nsteps:\n  - step: load\n  - step: normalize\n    method: zscore\n    mask: brainmask\n  - step: save\n",
    "r.yaml",
  );
  const manifest: Manifest = {
    source: "m.csv",
    kind: "csv",
    roles: ["image"],
    metadata: ["site"],
    rows: [{ id: "a", row: 2, paths: { image: "/a.nii" } }],
  } as unknown as Manifest;
  assert.throws(
    () => bindManifest(plan, manifest),
    (e: unknown) => {
      assert.ok(e instanceof ManifestError);
      assert.match(
        e.issues[0].message,
        /^Cannot use role "brainmask" of steps\[1\]\.mask: the manifest has no such column \(roles: image; metadata: site\)$/,
      );
      return true;
    },
  );
  assert.doesNotThrow(() => bindManifest(plan, { ...manifest, roles: ["image", "brainmask"] }));
});
