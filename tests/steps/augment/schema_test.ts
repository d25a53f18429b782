import assert from "node:assert/strict";
import { parse } from "yaml";
import { augment, TRANSFORMS } from "../../../src/steps/augment/augment.ts";
import { findStep } from "../../../src/steps/registry.ts";

const ISSUE_YAML = `
- step: augment
  copies: 3
  transforms:
    - flip: { axes: [0], p: 0.5 }
    - affine: { rotate: [-20, 20], scale: [0.9, 1.1], translate: [-3, 3] }   # degrees, factor, mm; ranges drawn per axis
    - elastic: { maxDisplacement: 4, controlPoints: 7 }                      # mm
    - noise: { std: [0, 20] }
`;

function paramsOf(yaml: string): unknown {
  const [{ step: _step, ...rest }] = parse(yaml) as Record<string, unknown>[];
  return rest;
}

function issues(raw: unknown): string[] {
  const r = augment.params.safeParse(raw);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
}

Deno.test("augment params accept the issue's YAML example with defaults filled in", () => {
  const p = augment.params.parse(paramsOf(ISSUE_YAML));
  assert.equal(p.copies, 3);
  assert.equal(p.interpolation, "linear");
  assert.deepEqual(p.transforms[0], { flip: { axes: [0], p: 0.5 } });
  assert.deepEqual(p.transforms[2], {
    elastic: { maxDisplacement: 4, controlPoints: 7, lockedBorders: 2, p: 1 },
  });
  assert.deepEqual((p.transforms[1].affine as { scale: unknown }).scale, [0.9, 1.1]);
  assert.equal(findStep("augment"), augment as unknown);
  assert.deepEqual(augment.params.parse(paramsOf(augment.example)), p);
});

Deno.test("augment params report wrong transforms with their positions", () => {
  assert.deepEqual(issues({ transforms: [{ flipp: {} }] }).map((s) => s.split(":")[0]), [
    "transforms.0",
    "transforms.0",
  ]);
  assert.match(issues({ transforms: [{ flipp: {} }] }).join("\n"), /flipp/);
  assert.match(
    issues({ transforms: [{ flip: {}, noise: {} }] })[0],
    /^transforms\.0: Each transform is a one-key map/,
  );
  assert.deepEqual(issues({ transforms: [{ flip: { p: 1.5 } }] }).map((s) => s.split(":")[0]), [
    "transforms.0.flip.p",
  ]);
  assert.match(
    issues({ transforms: [{ affine: { rotate: [20, -20] } }] })[0],
    /^transforms\.0\.affine\.rotate/,
  );
  assert.match(issues({ transforms: [{ affine: { scale: [0, 2] } }] }).join(), /scale/);
  assert.match(
    issues({ transforms: [{ elastic: { controlPoints: 3 } }] })[0],
    /^transforms\.0\.elastic\.controlPoints/,
  );
  assert.match(
    issues({ transforms: [{ crop: { size: [4, 4] } }] })[0],
    /^transforms\.0\.crop\.size/,
  );
  assert.match(issues({ transforms: [{ noise: { sigma: 3 } }] })[0], /sigma/);
  assert.deepEqual(issues({ copies: 0, transforms: [] }).map((s) => s.split(":")[0]), [
    "copies",
    "transforms",
  ]);
  assert.deepEqual(issues({ transforms: [{ flip: {} }], extra: 1 }).length, 1);
});

Deno.test("augment transforms all describe themselves and every param", () => {
  for (const t of TRANSFORMS) {
    assert.ok(t.summary.length > 10, t.name);
    const shape =
      (t.params as unknown as { shape: Record<string, { description?: string }> }).shape;
    for (const [key, s] of Object.entries(shape)) {
      assert.ok(s.description, `${t.name}.${key} lacks a description`);
    }
  }
});

Deno.test("augment recipe validation reports positions, ranges and did-you-mean for transforms", async () => {
  const { validateRecipe } = await import("../../../src/recipe/validate.ts");
  const text = [
    "version: 1",
    "steps:",
    "  - step: load",
    "  - step: augment",
    "    transforms:",
    "      - flipp: { axes: [0] }",
    "      - affine: { rotate: [20, -20], scael: 1 }",
    "      - noise: { std: [0, 20], p: 2 }",
    "  - step: save",
  ].join("\n");
  let message = "";
  try {
    validateRecipe(text, "aug.yaml");
  } catch (e) {
    message = (e as Error).message;
  }
  assert.match(
    message,
    /aug\.yaml:6:9 steps\[1\]\.transforms\[0\]\.flipp: .*did you mean `flip`\?/,
  );
  assert.match(
    message,
    /aug\.yaml:7:\d+ steps\[1\]\.transforms\[1\]\.affine\.rotate: Range must be \[low, high\]/,
  );
  assert.match(
    message,
    /aug\.yaml:7:\d+ steps\[1\]\.transforms\[1\]\.affine\.scael: .*did you mean `scale`\?/,
  );
  assert.match(message, /aug\.yaml:8:\d+ steps\[1\]\.transforms\[2\]\.noise\.p: /);
});
