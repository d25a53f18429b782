/**
 * Label roles are never guessed wrong (issue 11 item 2): with manifest columns img,seg a
 * written `labels: [label]` is exit 2 naming the role and the columns; the default `labels`
 * gives a warning suggesting `labels: [seg]` — in validate --manifest, run --dry-run and run.
 */
import { equal, match, ok } from "node:assert/strict";
import { join } from "node:path";
import { createDataset } from "../runner/_dataset.ts";
import { runCli } from "./_run.ts";

const RECIPE = (load: string) =>
  `version: 1\nsteps:\n  - step: load\n${load}  - step: normalize\n    method: zscore\n  - step: save\n`;

async function imgSegDataset(load: string) {
  const ds = await createDataset({ count: 2, recipe: RECIPE(load) });
  const text = await Deno.readTextFile(ds.manifest);
  await Deno.writeTextFile(ds.manifest, text.replace("id,image,label", "id,img,seg"));
  return ds;
}

Deno.test("a written label role missing from the manifest is exit 2 naming it and the columns", async () => {
  const ds = await imgSegDataset("    labels: [label]\n");
  const out = join(ds.dir, "out");
  try {
    for (
      const args of [
        ["validate", ds.recipe, "--manifest", ds.manifest],
        ["run", ds.recipe, "--manifest", ds.manifest, "--out", out, "--dry-run"],
        ["run", ds.recipe, "--manifest", ds.manifest, "--out", out],
      ]
    ) {
      const r = await runCli(args);
      equal(r.code, 2, `${args[0]}: ${r.stdout}${r.stderr}`);
      match(
        r.stderr,
        /m?anifest\.csv: Cannot use role "label" of steps\[0\]\.labels: the manifest has no such column \(roles: img, seg\)/,
      );
    }
    ok(!(await Deno.stat(out).then(() => true, () => false)), "nothing written");
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});

Deno.test("the default label role missing from the manifest warns, suggesting labels: [seg]", async () => {
  const ds = await imgSegDataset("");
  const out = join(ds.dir, "out");
  const warning =
    /warning: .*manifest\.csv: no column named "label", so no role is read as a label map \(roles: img, seg\); if seg holds label maps, write `labels: \[seg\]` in steps\[0\]/;
  try {
    for (
      const args of [
        ["validate", ds.recipe, "--manifest", ds.manifest],
        ["run", ds.recipe, "--manifest", ds.manifest, "--out", out, "--dry-run"],
        ["run", ds.recipe, "--manifest", ds.manifest, "--out", out],
      ]
    ) {
      const r = await runCli(args);
      equal(r.code, 0, `${args[0]}: ${r.stderr}`);
      match(r.stderr, warning, args.join(" "));
    }
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});
