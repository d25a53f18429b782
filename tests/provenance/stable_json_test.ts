import assert from "node:assert/strict";
import { stringifyStable, writeJsonAtomic } from "../../src/provenance/stable_json.ts";

Deno.test("stringifyStable orders keys by the provenance rank, others alphabetically", () => {
  const a = stringifyStable({
    subjects: [],
    zeta: 1,
    tool: { version: "1", name: "m" },
    alpha: -0,
  });
  const b = stringifyStable({ alpha: 0, tool: { name: "m", version: "1" }, zeta: 1, subjects: [] });
  assert.equal(a, b);
  assert.deepEqual(Object.keys(JSON.parse(a)), ["tool", "subjects", "alpha", "zeta"]);
  assert.deepEqual(Object.keys(JSON.parse(a).tool), ["name", "version"]);
  assert.ok(a.endsWith("}\n"));
});

Deno.test("stringifyStable drops undefined and converts typed arrays and bigints", () => {
  const text = stringifyStable({ a: undefined, b: new Float32Array([1.5, 2]), c: 3n });
  assert.deepEqual(JSON.parse(text), { b: [1.5, 2], c: "3" });
  assert.equal(text, '{\n  "b": [1.5, 2],\n  "c": "3"\n}\n');
  assert.equal(
    stringifyStable({ m: [[1, 2], []], n: NaN }),
    '{\n  "m": [\n    [1, 2],\n    []\n  ],\n  "n": null\n}\n',
  );
});

Deno.test("writeJsonAtomic writes the file and leaves no temp file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeJsonAtomic(`${dir}/p.json`, { b: 1, a: 2 });
    assert.equal(await Deno.readTextFile(`${dir}/p.json`), '{\n  "a": 2,\n  "b": 1\n}\n');
    const names = [];
    for await (const e of Deno.readDir(dir)) names.push(e.name);
    assert.deepEqual(names, ["p.json"]);
    await assert.rejects(() => writeJsonAtomic(`${dir}/missing/p.json`, {}), /Cannot write/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
