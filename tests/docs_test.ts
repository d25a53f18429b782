/**
 * docs/: the semantics contract copy stays identical to ../shared/SPEC.md (skipped with a notice
 * when ../shared is absent), and the "adding a step" walkthrough's code compiles and its test
 * passes against the real src/ (so the page cannot drift from the step interface).
 */
import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);
const SHARED_SPEC = new URL("../shared/SPEC.md", ROOT);
const DOC = new URL("docs/adding_a_step.md", ROOT);

let shared: string | null = null;
try {
  shared = Deno.readTextFileSync(SHARED_SPEC);
} catch {
  console.warn(`docs SPEC sync SKIPPED: ${SHARED_SPEC.pathname} not found (../shared absent)`);
}

Deno.test({
  name: "docs/SPEC.md is identical to ../shared/SPEC.md (the semantics contract)",
  ignore: shared === null,
  fn() {
    const copy = Deno.readTextFileSync(new URL("docs/SPEC.md", ROOT));
    assert.ok(
      copy === shared,
      "docs/SPEC.md differs from ../shared/SPEC.md: run `cp ../shared/SPEC.md docs/SPEC.md`",
    );
  },
});

/** The ```ts code blocks of a markdown text, in order. */
function tsBlocks(text: string): string[] {
  return [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
}

Deno.test("README links the walkthrough and the contract; the table task exists", () => {
  const readme = Deno.readTextFileSync(new URL("README.md", ROOT));
  assert.match(readme, /\]\(docs\/adding_a_step\.md\)/);
  assert.match(readme, /\]\(docs\/SPEC\.md\)/);
  const doc = Deno.readTextFileSync(DOC);
  assert.match(doc, /\]\(SPEC\.md\)/);
  assert.match(doc, /deno task readme-steps/);
  const tasks = JSON.parse(Deno.readTextFileSync(new URL("deno.json", ROOT))).tasks;
  assert.match(tasks["readme-steps"], /tools\/readme_steps\.ts --write/);
});

Deno.test("docs/adding_a_step.md: the example step and its test run against src/", async () => {
  const [step, , test] = tsBlocks(Deno.readTextFileSync(DOC));
  assert.match(step, /export const threshold = defineStep\(/);
  assert.match(test, /Deno\.test\("threshold /);
  const dir = await Deno.makeTempDir({ prefix: "medprep-doc-step-" });
  try {
    const stepDir = new URL("src/steps/intensity/", ROOT);
    const abs = (code: string, base: URL) =>
      code.replace(/from "(\.\.?\/[^"]+)"/g, (_, p: string) => `from "${new URL(p, base).href}"`);
    await Deno.writeTextFile(`${dir}/threshold.ts`, abs(step, stepDir));
    const testCode = test.replace(
      '"../../../src/steps/intensity/threshold.ts"',
      JSON.stringify(`file://${dir}/threshold.ts`),
    );
    await Deno.writeTextFile(
      `${dir}/threshold_test.ts`,
      abs(testCode, new URL("tests/steps/intensity/", ROOT)),
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "test",
        "--quiet",
        "--config",
        new URL("deno.json", ROOT).pathname,
        "--allow-read",
        `${dir}/threshold_test.ts`,
      ],
      cwd: dir,
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, text);
    assert.match(text, /ok \| 1 passed \| 0 failed/);
    // The example in the step validates with its own schema.
    const mod = await import(`file://${dir}/threshold.ts`);
    assert.deepEqual(mod.threshold.params.parse({ below: -1000, value: -1000 }), {
      below: -1000,
      value: -1000,
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
