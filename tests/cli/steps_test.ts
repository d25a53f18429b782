import { equal, ok } from "node:assert/strict";
import { renderStepHelp, renderStepList } from "../../src/cli/steps.ts";
import { STEPS } from "../../src/steps/registry.ts";
import { runCli } from "./_run.ts";

Deno.test("renderStepList lists every registered step with kind and summary", () => {
  const lines = renderStepList().split("\n");
  equal(lines.length, STEPS.length);
  STEPS.forEach((s, i) => {
    ok(lines[i].includes(s.name) && lines[i].includes(s.kind) && lines[i].endsWith(s.summary));
  });
});

Deno.test("renderStepHelp prints each param with type, default, range, description and the example", () => {
  const clip = STEPS.find((s) => s.name === "clip")!;
  const text = renderStepHelp(clip);
  ok(text.startsWith("clip (intensity): "), text);
  ok(text.includes('  mask: all | nonzero | string; default "all"'), text); // string: a role
  ok(text.includes('  over: subject | dataset; default "subject"'), text);
  ok(text.includes("Lowest value kept"), text);
  ok(text.endsWith(clip.example.split("\n").map((l) => `  ${l}`).join("\n")), text);
  const size = renderStepHelp(STEPS.find((s) => s.name === "resample-to-size")!);
  ok(size.includes("  size: [integer | null ×3]; required; range 1..65535"), size);
  const normalize = renderStepHelp(STEPS.find((s) => s.name === "normalize")!);
  ok(normalize.includes("Params with method: window:"), normalize);
  ok(normalize.includes("  from: [number ×2]; required"), normalize);
});

Deno.test("steps lists the registry; steps NAME shows one step; unknown NAME suggests and exits 2", async () => {
  const list = await runCli(["steps"]);
  equal(list.code, 0);
  // Issue 14.5: the augment transforms are listed after the steps.
  ok(list.stdout.startsWith(renderStepList() + "\n\nAugment transforms"), list.stdout);
  const one = await runCli(["steps", "save"]);
  equal(one.code, 0);
  equal(one.stdout, renderStepHelp(STEPS.find((s) => s.name === "save")!) + "\n");
  const bad = await runCli(["steps", "normalise"]);
  equal(bad.code, 2);
  equal(
    bad.stderr,
    'Cannot show step "normalise": no such step or augment transform; did you mean `normalize`?\n',
  );
});

Deno.test("steps --help lists the steps from the registry", async () => {
  const help = await runCli(["steps", "--help"]);
  equal(help.code, 0);
  for (const s of STEPS) ok(help.stdout.includes(s.name), s.name);
});
