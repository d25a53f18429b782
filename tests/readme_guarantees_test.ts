import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);

/** Test names declared in a test file, as patterns (`${…}` in template names matches anything). */
function declaredNames(source: string): RegExp[] {
  const names = [
    ...source.matchAll(/Deno\.test\(\s*(["'`])((?:(?!\1)[^\\]|\\.)+)\1/g),
    ...source.matchAll(/\bname:\s*(["'`])((?:(?!\1)[^\\]|\\.)+)\1/g),
  ].map((m) => m[2]);
  return names.map((n) =>
    new RegExp(
      "^" + n.split(/\$\{[^}]*\}/).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(".+") +
        "$",
    )
  );
}

Deno.test("README 'What medprep guarantees' names tests that exist, by file and name", () => {
  const text = Deno.readTextFileSync(new URL("README.md", ROOT));
  const section = text.split("## What medprep guarantees")[1]?.split("\n## ")[0];
  assert.ok(section, "README.md lacks the section 'What medprep guarantees'");
  const bullets = section.split("\n- ").slice(1).map((b) => b.replace(/\s+/g, " "));
  assert.ok(bullets.length >= 6, "one bullet per guarantee");
  let checked = 0;
  for (const bullet of bullets) {
    let file: string | undefined;
    let names = 0;
    for (const m of bullet.matchAll(/`(tests\/[\w/]+_test\.ts)`|"([^"]+)"/g)) {
      if (m[1]) {
        file = m[1];
        continue;
      }
      if (!file) continue; // a quotation before the first test file
      let source: string;
      try {
        source = Deno.readTextFileSync(new URL(file, ROOT));
      } catch {
        console.warn(`NOTICE: README guarantee backed by ${file} ("${m[2]}"): file not present`);
        names++;
        continue;
      }
      assert.ok(
        declaredNames(source).some((p) => p.test(m[2])),
        `README names "${m[2]}" in ${file}, which declares no such test`,
      );
      names++;
      checked++;
    }
    assert.ok(names > 0, `a guarantee without a test: ${bullet.slice(0, 80)}…`);
  }
  assert.ok(checked >= 10, `only ${checked} named tests were found`);
});
