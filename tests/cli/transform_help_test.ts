import assert from "node:assert/strict";
import { renderTransformHelp } from "../../src/cli/steps.ts";
import {
  findTransform,
  renderTransformList,
  TRANSFORM_EXAMPLES,
  transformExample,
} from "../../src/cli/transform_help.ts";
import { deriveParamHelp } from "../../src/cli/step_help.ts";
import { TRANSFORMS } from "../../src/steps/augment/augment.ts";
import { validateRecipePlan } from "../../src/recipe/validate.ts";
import { runCli } from "./_run.ts";

for (const t of TRANSFORMS) {
  Deno.test(`${t.name}: steps help gives every param with its default, and a valid example`, () => {
    const text = renderTransformHelp(t);
    assert.ok(text.startsWith(`${t.name} (augment transform, ${t.kind}; `), text);
    for (const group of deriveParamHelp(t)) {
      for (const p of group.params) {
        assert.ok(text.includes(`  ${p.name}: `), `${t.name}.${p.name}`);
        if (p.default !== undefined) {
          assert.ok(text.includes(`default ${JSON.stringify(p.default)}`), `${t.name}.${p.name}`);
        }
        assert.ok(p.description.length > 0, `${t.name}.${p.name} has no description`);
      }
    }
    assert.ok(TRANSFORM_EXAMPLES[t.name], `${t.name} has no example in TRANSFORM_EXAMPLES`);
    const example = transformExample(t);
    assert.ok(text.endsWith(example.split("\n").map((l) => `  ${l}`).join("\n")), text);
    // The example is a real augment step: it validates inside a whole recipe.
    const recipe = `version: 1\nsteps:\n  - step: load\n    labels: [label]\n${
      example.split("\n").map((l) => `  ${l}`).join("\n")
    }\n  - step: save\n    name: "{id}_{role}_{copy}.nii.gz"\n`;
    const { plan } = validateRecipePlan(recipe, `${t.name}.yaml`);
    assert.equal(plan.steps[1].definition.name, "augment");
  });
}

Deno.test("findTransform finds transforms by recipe key only", () => {
  assert.equal(findTransform("elastic")?.name, "elastic");
  assert.equal(findTransform("clip"), undefined);
  assert.equal(renderTransformList().split("\n").length, TRANSFORMS.length);
});

Deno.test("steps flip / steps elastic document the transform (not 'did you mean clip')", async () => {
  const flip = await runCli(["steps", "flip"]);
  assert.equal(flip.code, 0, flip.stderr);
  assert.match(flip.stdout, /^flip \(augment transform, spatial; /);
  assert.match(flip.stdout, /\n {2}axes: list of 0 \| 1 \| 2; default \[0\]\n/);
  assert.match(flip.stdout, /\n {2}p: number; default 1; range 0\.\.1\n/);
  assert.match(flip.stdout, /Example:\n {2}- step: augment\n.*\n {4}transforms:\n {6}- flip: /);
  const elastic = await runCli(["steps", "elastic"]);
  assert.equal(elastic.code, 0, elastic.stderr);
  assert.match(elastic.stdout, /\n {2}maxDisplacement: .*default 7\.5/);
  assert.match(elastic.stdout, /\n {2}controlPoints: .*default 7/);
  const typo = await runCli(["steps", "elastik"]);
  assert.equal(typo.code, 2);
  assert.match(typo.stderr, /did you mean `elastic`\?/);
});
