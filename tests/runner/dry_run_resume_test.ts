/**
 * `run --dry-run --resume` (dry_run_resume.ts) stays linear in the subjects (issue 15.3): the
 * decision of each job is found by id, not by scanning every rebuilt subject per job (a
 * 100,000-row manifest after a recipe change made that 5·10⁹ comparisons).
 */
import assert from "node:assert/strict";
import { planResume } from "../../src/runner/dry_run_resume.ts";
import type { Job } from "../../src/runner/messages.ts";
import type { ProvenanceHeader } from "../../src/provenance/header.ts";

const header = (sha256: string) =>
  ({
    tool: { name: "medprep", version: "1", source: { sha256: "src", files: 1 } },
    recipe: {
      path: "/r.yaml",
      sha256,
      git: null,
      resolved: { version: 1, name: "r", seed: 1, steps: [] },
    },
  }) as unknown as ProvenanceHeader;

Deno.test("planResume reads each job's id a bounded number of times (no scan per job)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const n = 3000;
    const ids = Array.from({ length: n }, (_, i) => `s${String(i).padStart(5, "0")}`);
    // An earlier run of another recipe finished every subject: all are rebuilt.
    await Deno.writeTextFile(
      `${dir}/provenance.json`,
      JSON.stringify({
        ...header("old"),
        started: "2026-01-01T00:00:00.000Z",
        finished: "2026-01-01T00:00:01.000Z",
        status: "complete",
        subjects: ids.map((id, i) => ({
          id,
          row: i + 2,
          status: "done",
          inputs: [],
          steps: [],
          outputs: [{ role: "image", copy: 0, path: `${id}.nii`, sha256: "x", size: 1 }],
          warnings: [],
        })),
      }),
    );
    let reads = 0;
    const jobs: Job[] = ids.map((id, i) => ({
      get id() {
        reads++;
        return id;
      },
      row: i + 2,
      paths: { image: `${dir}/in/${id}.nii` },
    }));
    const planned = ids.map((id, i) => ({
      id,
      row: i + 2,
      role: "image",
      copy: 0,
      path: `${id}.nii`,
    }));
    const decisions = await planResume(`${dir}/provenance.json`, jobs, planned, {
      header: header("new"),
      outDir: dir,
      force: true,
    });
    assert.equal(decisions.size, n);
    for (const id of ids) {
      const d = decisions.get(id)!;
      assert.equal(d.action, "rebuild", id);
      assert.match(d.reason, /^recipe changed \(was recipe "r" \(\/r\.yaml, sha256 old/);
    }
    // Linear: a few reads per job (the old scan read it ~n/2 times per job: 4.5 million).
    assert.ok(reads <= 20 * n, `job ids were read ${reads} times for ${n} jobs`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
