import assert from "node:assert/strict";
import { runBatch } from "../../src/runner/batch.ts";
import { STEPS } from "../../src/steps/registry.ts";
import { parse } from "yaml";
import { ALL_STEPS_RECIPE, comparable, createDataset, readTree } from "./_dataset.ts";

const quiet = { quiet: true, command: ["test"] };

async function readJson(path: string) {
  return JSON.parse(await Deno.readTextFile(path));
}

Deno.test("runBatch test recipe uses every registry step", () => {
  const used = new Set(
    (parse(ALL_STEPS_RECIPE).steps as { step: string }[]).map((s) => s.step),
  );
  assert.deepEqual(STEPS.map((s) => s.name).filter((n) => !used.has(n)), []);
});

Deno.test("runBatch gives byte-identical outputs and provenance for 1, 2, 4 workers and any order", async () => {
  const ds = await createDataset({ count: 5 });
  try {
    const runs: { tree: Map<string, Uint8Array>; prov: Record<string, unknown> }[] = [];
    const lines = (await Deno.readTextFile(ds.manifest)).trim().split("\n");
    const shuffled = `${ds.dir}/shuffled.csv`;
    await Deno.writeTextFile(
      shuffled,
      [lines[0], lines[3], lines[5], lines[1], lines[4], lines[2]].join("\n") + "\n",
    );
    for (
      const [workers, manifest] of [[1, ds.manifest], [2, ds.manifest], [4, shuffled]] as const
    ) {
      const out = `${ds.dir}/out-${workers}`;
      const code = await runBatch({ ...quiet, recipe: ds.recipe, manifest, out, workers });
      assert.equal(code, 0);
      const tree = await readTree(out);
      const prov = await readJson(`${out}/provenance.json`);
      tree.delete("provenance.json");
      tree.delete("report.html"); // run-level, holds the run's times (tests/report)
      runs.push({ tree, prov });
    }
    const [a, b, c] = runs;
    assert.equal(a.tree.size, 5 * 2 * 2 + 2, "5 subjects × 2 roles × 2 copies, manifest + dataset");
    for (const other of [b, c]) {
      assert.deepEqual([...other.tree.keys()].sort(), [...a.tree.keys()].sort());
      for (const [name, bytes] of a.tree) assert.deepEqual(other.tree.get(name), bytes, name);
    }
    assert.deepEqual(comparable(b.prov), comparable(a.prov));
    // The shuffled manifest differs only in its own hash and the row numbers.
    const strip = (p: Record<string, unknown>) => {
      const q = comparable(p) as { manifest: unknown; subjects: { row?: number }[] };
      q.manifest = null;
      for (const s of q.subjects) delete s.row;
      return q;
    };
    assert.deepEqual(strip(c.prov), strip(a.prov));
    const subjects = a.prov.subjects as { id: string; status: string; steps: unknown[] }[];
    assert.deepEqual(subjects.map((s) => s.id), ds.ids);
    assert.ok(subjects.every((s) => s.status === "done" && s.steps.length > 0));
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});
