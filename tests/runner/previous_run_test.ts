import assert from "node:assert/strict";
import { ManifestError } from "../../src/errors.ts";
import { sha256Bytes } from "../../src/nifti/hash.ts";
import {
  readPreviousRun,
  removeRecordedOutputs,
  type RunHeader,
  settlePreviousRun,
} from "../../src/runner/previous_run.ts";
import type { SubjectRecord } from "../../src/provenance/types.ts";

const header = (name: string, seed = 1): RunHeader =>
  ({
    tool: { name: "medprep", version: "0", source: { sha256: "s", files: 1 } },
    recipe: {
      path: `/${name}.yaml`,
      sha256: name,
      git: null,
      resolved: { version: 1, name, seed, steps: [] },
    },
  }) as RunHeader;

function record(id: string, outputs: [string, string][]): SubjectRecord {
  return {
    id,
    row: 1,
    status: "done",
    inputs: [],
    steps: [],
    outputs: outputs.map(([path, text]) => ({
      role: "image",
      copy: 0,
      path,
      sha256: sha256Bytes(text),
      size: text.length,
      dtype: "int16",
      dtypeReason: "",
      clamped: 0,
    })),
    warnings: [],
  };
}

Deno.test("removeRecordedOutputs removes only unchanged regular files inside --out, then empty folders", async () => {
  const root = await Deno.makeTempDir();
  const out = `${root}/out`;
  try {
    await Deno.mkdir(`${out}/a`, { recursive: true });
    await Deno.mkdir(`${root}/elsewhere`);
    await Deno.writeTextFile(`${out}/a/x.nii`, "x");
    await Deno.writeTextFile(`${out}/changed.nii`, "user edit");
    await Deno.writeTextFile(`${root}/elsewhere/y.nii`, "y");
    await Deno.symlink(`${root}/elsewhere`, `${out}/link`);
    await Deno.writeTextFile(`${root}/up.nii`, "u");
    const { removed, kept } = await removeRecordedOutputs([
      record("s", [
        ["a/x.nii", "x"],
        ["changed.nii", "original"],
        ["link/y.nii", "y"],
        ["../up.nii", "u"],
        ["gone.nii", "g"],
      ]),
    ], out);
    assert.deepEqual(removed, ["a/x.nii"]);
    assert.deepEqual(kept, [
      { path: "changed.nii", reason: "changed since that run wrote it" },
      { path: "link/y.nii", reason: "a symbolic link is never followed" },
      { path: "../up.nii", reason: "not a plain path inside --out" },
    ]);
    assert.ok(!(await Deno.stat(`${out}/a`).then(() => true, () => false)), "empty folder left");
    assert.equal(await Deno.readTextFile(`${root}/elsewhere/y.nii`), "y");
    assert.equal(await Deno.readTextFile(`${root}/up.nii`), "u");
    assert.equal(await Deno.readTextFile(`${out}/changed.nii`), "user edit");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("settlePreviousRun refuses another recipe or seed, and --force clears it", async () => {
  const out = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${out}/old.nii`, "old");
    const previous = {
      sources: [{
        file: `${out}/provenance.json`,
        header: header("old"),
        records: [record("s", [["old.nii", "old"]])],
      }],
      problems: [],
      siblings: [],
    };
    await Deno.writeTextFile(`${out}/provenance.json`, "{}");
    const opts = { resume: true, force: false, outDir: out, log: () => {} };
    assert.deepEqual(await settlePreviousRun(previous, header("old"), opts), previous);
    await assert.rejects(
      settlePreviousRun(previous, header("new"), opts),
      (e) =>
        e instanceof ManifestError &&
        /Cannot run recipe "new" \(\/new\.yaml, sha256 new, seed 1\) into ".*": it holds the outputs of recipe "old" \(\/old\.yaml, sha256 old, seed 1\), recorded in ".*provenance\.json"; use another --out, or --force to remove those 1 file\(s\) first/
          .test(e.message),
    );
    await assert.rejects(settlePreviousRun(previous, header("old", 2), opts), /seed 2/);
    const lines: string[] = [];
    await settlePreviousRun(previous, header("new"), {
      ...opts,
      force: true,
      log: (l) => lines.push(l),
    });
    assert.deepEqual([...Deno.readDirSync(out)], []);
    assert.deepEqual(lines, [
      'medprep: --force removed 1 file(s) of recipe "old" (/old.yaml, sha256 old, seed 1)',
    ]);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("readPreviousRun + settlePreviousRun: a damaged file warns (--resume) or refuses", async () => {
  const out = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${out}/provenance.json`, '{"tool": {"version": "0"}}');
    await Deno.writeTextFile(`${out}/provenance.journal.jsonl`, "{broken\n");
    const previous = await readPreviousRun(`${out}/provenance.json`);
    assert.deepEqual(previous.sources, []);
    assert.deepEqual(
      previous.problems.map((p) => [p.file.split("/").pop(), p.message.split(" (")[0]]),
      [
        ["provenance.json", "recipe.sha256 or recipe.resolved is missing"],
        ["provenance.journal.jsonl", "line 1: not valid JSON"],
      ],
    );
    const lines: string[] = [];
    const log = (l: string) => lines.push(l);
    const opts = { resume: true, force: false, outDir: out, log };
    assert.deepEqual(await settlePreviousRun(previous, header("r"), opts), {
      sources: [],
      problems: [],
      siblings: [],
    });
    assert.equal(lines.length, 2);
    assert.match(
      lines[0],
      /^medprep: warning: ignoring ".*provenance\.json": recipe\.sha256 or recipe\.resolved is missing; its subjects are rebuilt$/,
    );
    await assert.rejects(
      settlePreviousRun(previous, header("r"), { ...opts, resume: false }),
      /is damaged .*--force/,
    );
    await settlePreviousRun(previous, header("r"), { ...opts, resume: false, force: true });
    assert.deepEqual([...Deno.readDirSync(out)], [], "--force replaces the damaged files");
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
