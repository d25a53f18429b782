import { deepEqual, equal } from "node:assert/strict";
import { LineCounter, parseDocument } from "yaml";
import { z } from "zod";
import { IssueSink } from "../../src/recipe/issue_sink.ts";
import { describeZodIssues } from "../../src/recipe/zod_issues.ts";
import { findNode, formatPath } from "../../src/recipe/yaml_positions.ts";

// A nested schema like augment's: a list of one-key maps with nested params.
const schema = z.object({
  copies: z.number().int().min(1),
  transforms: z.array(
    z.union([
      z.object({ flip: z.object({ axes: z.array(z.number().int().min(0).max(2)) }).strict() })
        .strict(),
      z.object({
        affine: z.object({ rotate: z.number(), scale: z.tuple([z.number(), z.number()]) })
          .strict(),
      }).strict(),
    ]),
  ),
}).strict();

const TEXT = `entry:
  copies: 0
  transforms:
    - flip: { axes: [0, 3] }
    - affine:
        rotate: ten
        scale: [0.9]
        shear: 1
    - flop: {}
`;

function place(text: string) {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  const input = (doc.toJS() as { entry: unknown }).entry;
  const result = schema.safeParse(input, { reportInput: true });
  const sink = new IssueSink("t.yaml", doc, lineCounter);
  for (const p of describeZodIssues(result.error!.issues, schema, { owner: "augment", input })) {
    sink.atPath(["entry", ...p.path], p.message, p.at);
  }
  return sink.sorted().map((i) => `${i.line}:${i.col} ${i.path}: ${i.message}`);
}

Deno.test("describeZodIssues maps nested union issues to the exact YAML node", () => {
  deepEqual(place(TEXT), [
    "2:11 entry.copies: Cannot use 0: must be >= 1",
    "4:25 entry.transforms[0].flip.axes[1]: Cannot use 3: must be <= 2",
    '6:17 entry.transforms[1].affine.rotate: Cannot use "ten": expected a number',
    "7:16 entry.transforms[1].affine.scale: Cannot use [0.9]: expected 2 values, got 1",
    '8:9 entry.transforms[1].affine.shear: Cannot use key "shear": affine has no such key; expected one of rotate, scale',
    '9:7 entry.transforms[2].flop: Cannot use key "flop": expected one of flip, affine; did you mean `flip`?',
  ]);
});

Deno.test("describeZodIssues points a missing key at the map that lacks it", () => {
  const lines = place("entry:\n  transforms: []\n");
  deepEqual(lines, ["2:3 entry.copies: Missing required param `copies` (a number)"]);
});

Deno.test("findNode follows maps, lists and aliases and reports how deep it got", () => {
  const doc = parseDocument("a: &x\n  b: [1, {c: 2}]\nd: *x\n");
  const hit = findNode(doc, doc.contents as never, ["d", "b", 1, "c"]);
  equal(hit.depth, 4);
  equal(hit.node?.range?.[0], 19);
  const miss = findNode(doc, doc.contents as never, ["a", "zz", 0]);
  equal(miss.depth, 1);
  equal(
    formatPath(["steps", 2, "transforms", 1, "affine", "rotate"]),
    "steps[2].transforms[1].affine.rotate",
  );
});
