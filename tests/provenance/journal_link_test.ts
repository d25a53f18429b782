import assert from "node:assert/strict";
import { createJournal } from "../../src/provenance/journal.ts";
import type { ProvenanceHeader } from "../../src/provenance/header.ts";
import type { SubjectRecord } from "../../src/provenance/types.ts";

const HEADER = {
  tool: { name: "medprep", version: "0", git: null, source: { sha256: "ab", files: 1 } },
  recipe: { path: "/r.yaml", sha256: "cd", git: null, resolved: { version: 1, name: "r" } },
} as unknown as ProvenanceHeader;

const RECORD = {
  id: "a",
  row: 1,
  status: "done",
  inputs: [],
  steps: [],
  outputs: [],
  warnings: [],
} as SubjectRecord;

Deno.test("createJournal appends to and removes only the file it made, never a link put at its name", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir());
  const rename = Deno.rename;
  try {
    const path = `${dir}/provenance.journal.jsonl`;
    await Deno.writeTextFile(`${dir}/victim.txt`, "precious\n");
    // The journal's name becomes a link right after the journal is renamed into place.
    Deno.rename = async (from: string | URL, to: string | URL) => {
      await rename(from, to);
      await Deno.remove(to);
      await Deno.symlink(`${dir}/victim.txt`, to);
    };
    const journal = await createJournal(path, { header: HEADER, started: "t0" }, []);
    Deno.rename = rename;
    journal.append(RECORD);
    await journal.flush();
    assert.equal(await Deno.readTextFile(`${dir}/victim.txt`), "precious\n", "nothing appended");
    await journal.remove();
    assert.ok(Deno.lstatSync(path).isSymlink, "the link is not removed: not the journal's file");
    assert.equal(await Deno.readTextFile(`${dir}/victim.txt`), "precious\n");
  } finally {
    Deno.rename = rename;
    await Deno.remove(dir, { recursive: true });
  }
});
