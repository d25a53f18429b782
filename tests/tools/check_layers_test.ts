import assert from "node:assert/strict";
import {
  checkLayers,
  findCycles,
  layerOf,
  LAYERS,
  readImportGraph,
} from "../../tools/check_layers.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const TOOL = `${ROOT}tools/check_layers.ts`;

/** Writes `files` (relative path → text) into a fresh temporary folder. */
async function tree(files: Record<string, string>): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "medprep-layers-test-" });
  for (const [path, text] of Object.entries(files)) {
    await Deno.mkdir(`${dir}/${path.split("/").slice(0, -1).join("/")}`, { recursive: true });
    await Deno.writeTextFile(`${dir}/${path}`, text);
  }
  return dir;
}

/** Runs the tool as CI does on `dir`; exit code and stderr. */
async function runTool(dir: string): Promise<{ code: number; stderr: string; stdout: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "--allow-write", "--allow-run", TOOL, dir],
    cwd: dir,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stderr: dec.decode(out.stderr), stdout: dec.decode(out.stdout) };
}

const CLEAN = {
  "volume/a.ts": "export const a = 1;\n",
  "volume/b.ts": 'import { a } from "./a.ts";\nexport const b = a + 1;\n',
  "steps/s.ts": 'import { b } from "../volume/b.ts";\nexport const s = b;\n',
  "main.ts": 'import { s } from "./steps/s.ts";\nconsole.log(s);\n',
};

Deno.test("checkLayers passes a synthetic tree that imports downward only", async () => {
  const dir = await tree(CLEAN);
  try {
    const graph = await readImportGraph(dir);
    assert.deepEqual(graph.files, ["main.ts", "steps/s.ts", "volume/a.ts", "volume/b.ts"]);
    assert.equal(graph.edges.length, 3);
    assert.deepEqual(checkLayers(graph), []);
    const run = await runTool(dir);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /4 files, 3 imports, no cycle, none upward/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("checkLayers fails on an import cycle between two files of one folder", async () => {
  const dir = await tree({
    ...CLEAN,
    "volume/a.ts": 'import type { B } from "./c.ts";\nexport const a = 1;\nexport type A = B;\n',
    "volume/c.ts":
      'import type { A } from "./a.ts";\nexport type B = number;\nexport type C = A;\n',
  });
  try {
    const issues = checkLayers(await readImportGraph(dir));
    assert.deepEqual(issues, [{
      file: "volume/a.ts",
      line: 1,
      col: 24,
      message: "is in an import cycle: volume/a.ts ↔ volume/c.ts",
    }]);
    const run = await runTool(dir);
    assert.equal(run.code, 1);
    assert.match(
      run.stderr,
      /volume\/a\.ts:1:24 is in an import cycle: volume\/a\.ts ↔ volume\/c\.ts/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("checkLayers fails on an upward import, even in a file main.ts never reaches", async () => {
  const dir = await tree({
    ...CLEAN,
    "volume/up.ts": 'export { s } from "../steps/s.ts";\n',
  });
  try {
    const issues = checkLayers(await readImportGraph(dir));
    assert.equal(issues.length, 1);
    assert.equal(issues[0].file, "volume/up.ts");
    assert.equal(issues[0].line, 1);
    assert.match(issues[0].message, /imports "steps\/s\.ts" of a higher layer/);
    const run = await runTool(dir);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /volume\/up\.ts:1:\d+ imports "steps\/s\.ts" of a higher layer/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("checkLayers fails on a file outside every layer", async () => {
  const dir = await tree({ ...CLEAN, "misc/x.ts": "export const x = 1;\n" });
  try {
    const issues = checkLayers(await readImportGraph(dir));
    assert.deepEqual(issues.map((i) => [i.file, i.message]), [
      ["misc/x.ts", "is in no layer: add its folder to LAYERS in tools/check_layers.ts"],
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("findCycles finds a three-file cycle and a self import, not a diamond", () => {
  const e = (from: string, to: string) => ({ from, to, line: 1, col: 1 });
  assert.deepEqual(
    findCycles([
      e("a", "b"),
      e("b", "c"),
      e("c", "a"),
      e("d", "d"),
      e("x", "y"),
      e("x", "z"),
      e(
        "y",
        "w",
      ),
      e("z", "w"),
    ]),
    [["a", "b", "c"], ["d"]],
  );
});

Deno.test("src/ has no import cycle and no upward import (the layer check of deno task check)", async () => {
  const graph = await readImportGraph(`${ROOT}src`, { config: `${ROOT}deno.json` });
  assert.ok(graph.files.length > 50 && graph.edges.length > 100);
  assert.deepEqual(checkLayers(graph), []);
});

Deno.test("README's Layout paragraph names the layers in the order tools/check_layers.ts checks", () => {
  const readme = Deno.readTextFileSync(`${ROOT}README.md`);
  const layout = readme.slice(readme.indexOf("Layout, lowest layer first"));
  const at = LAYERS.map((layer) =>
    layout.indexOf(`\`src/${layer[0].endsWith("/") ? layer[0].slice(0, -1) : layer[0]}\``)
  );
  assert.ok(at.every((i) => i >= 0), `README Layout lacks a layer: ${JSON.stringify(at)}`);
  assert.deepEqual([...at].sort((a, b) => a - b), at);
  assert.equal(layerOf("volume/grid.ts"), 0);
  assert.equal(layerOf("main.ts"), LAYERS.length - 1);
});

Deno.test("deno task check and .ci/run run the layer check", () => {
  const config = JSON.parse(Deno.readTextFileSync(`${ROOT}deno.json`));
  assert.match(config.tasks.check, /deno task layers/);
  assert.match(config.tasks.layers, /tools\/check_layers\.ts src/);
  assert.match(Deno.readTextFileSync(`${ROOT}.ci/run`), /check "layers" .*tools\/check_layers\.ts/);
});
