import assert from "node:assert/strict";
import {
  stableJsonChunks,
  stringifyStable,
  TextBlocks,
  writeJsonAtomic,
} from "../../src/provenance/stable_json.ts";

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

Deno.test("stableJsonChunks cut below the second level give stringifyStable's exact text", () => {
  // Formatting rules at every depth: objects in arrays in objects, flat arrays on one line,
  // typed arrays, empty containers, dropped undefined, -0, bigint, NaN.
  const value = {
    zeta: [1, 2, 3],
    subjects: [
      { id: "a", inputs: [{ affine: [[1, 0], [0, -0]], shape: new Int16Array([2, 3]) }] },
      { id: "b", steps: [], extra: {}, drop: undefined, n: 7n, x: NaN },
    ],
    tool: { name: "medprep", deep: { deeper: { deepest: [{ k: 1 }] } } },
    empty: [],
    none: {},
    status: "planned",
  };
  const pieces = [...stableJsonChunks(value)];
  assert.ok(pieces.length > 10, "streamed in pieces");
  const text = pieces.join("");
  assert.equal(text, stringifyStable(value));
  assert.equal(
    text,
    `{
  "tool": {
    "name": "medprep",
    "deep": {
      "deeper": {
        "deepest": [
          {
            "k": 1
          }
        ]
      }
    }
  },
  "status": "planned",
  "subjects": [
    {
      "id": "a",
      "inputs": [
        {
          "shape": [2, 3],
          "affine": [
            [1, 0],
            [0, 0]
          ]
        }
      ]
    },
    {
      "id": "b",
      "steps": [],
      "extra": {},
      "n": "7",
      "x": null
    }
  ],
  "empty": [],
  "none": {},
  "zeta": [1, 2, 3]
}
`,
  );
});

Deno.test("TextBlocks hands on blocks of about the size; with lines, whole lines only", () => {
  const plain: string[] = [];
  const blocks = new TextBlocks((t) => void plain.push(t), { size: 4 });
  for (const p of ["ab", "cd", "e", "fgh", "i"]) blocks.add(p);
  blocks.end();
  assert.deepEqual(plain, ["abcd", "efgh", "i"]);
  const logged: string[] = [];
  const lines = new TextBlocks((t) => void logged.push(t), { size: 5, lines: true });
  for (const p of ["one\ntw", "o\nthree", "\n", "four", "\n"]) lines.add(p);
  lines.end();
  // console.log(block) for each block reproduces the text exactly.
  assert.equal(logged.map((b) => b + "\n").join(""), "one\ntwo\nthree\nfour\n");
  assert.ok(logged.every((b) => !b.endsWith("\n")));
});
