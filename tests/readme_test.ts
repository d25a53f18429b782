import assert from "node:assert/strict";
import { renderStepsTable } from "../tools/readme_steps.ts";
import { STEPS } from "../src/steps/registry.ts";

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
    "README.md is out of date: run `deno run -A tools/readme_steps.ts --write && deno fmt README.md`",
  );
  assert.equal(cells(section).length, STEPS.length + 1);
});

Deno.test("README names the two first commands", () => {
  const text = Deno.readTextFileSync(README);
  assert.match(text, /bin\/medprep run pipelines\/demo\.yaml/);
  assert.match(text, /script\/test/);
});
