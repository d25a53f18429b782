import { equal, match } from "node:assert/strict";
import { createDataset } from "../runner/_dataset.ts";
import { runCli } from "./_run.ts";

const SIMPLE = "version: 1\nsteps:\n  - step: load\n  - step: save\n";

Deno.test("run --subject (repeatable) and --limit select subjects; an unknown id is exit 2", async () => {
  const ds = await createDataset({ count: 3, recipe: SIMPLE });
  const base = ["run", ds.recipe, "--manifest", ds.manifest, "--out", `${ds.dir}/out`];
  try {
    const picked = await runCli([
      ...base,
      "--dry-run",
      "--subject",
      "sub-03",
      "--subject",
      "sub-01",
    ]);
    equal(picked.code, 0, picked.stderr);
    equal(
      picked.stdout.split("\n").filter((l) => l.startsWith("subject ")).join("\n"),
      'subject "sub-01" (row 2):\nsubject "sub-03" (row 4):',
    );
    const limited = await runCli([...base, "--dry-run", "--limit", "2"]);
    equal(limited.code, 0, limited.stderr);
    equal(limited.stdout.split("\n").filter((l) => l.startsWith("subject ")).length, 2);
    const unknown = await runCli([...base, "--subject", "sub-9"]);
    equal(unknown.code, 2);
    match(unknown.stderr, /--subject: Cannot select subject "sub-9": the manifest has no such id/);
    equal((await runCli([...base, "--limit", "0"])).code, 2);
  } finally {
    await Deno.remove(ds.dir, { recursive: true });
  }
});
