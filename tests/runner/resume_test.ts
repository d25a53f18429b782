import assert from "node:assert/strict";
import { sha256Bytes } from "../../src/nifti/hash.ts";
import { findReusable, sameMedprep } from "../../src/runner/resume.ts";
import type { PreviousRun, RunHeader } from "../../src/runner/previous_run.ts";
import type { Job } from "../../src/runner/messages.ts";
import type { SubjectRecord } from "../../src/provenance/types.ts";

const header = (
  o: { recipe?: string; seed?: number; source?: string | null; version?: string } = {},
) =>
  ({
    tool: {
      name: "medprep",
      version: o.version ?? "1",
      source: o.source === null ? null : { sha256: o.source ?? "src", files: 1 },
    },
    recipe: {
      path: "/r.yaml",
      sha256: o.recipe ?? "r",
      git: null,
      resolved: { version: 1, name: "r", seed: o.seed ?? 1, steps: [] },
    },
  }) as RunHeader;

/** A finished subject `id` with input in/<id>.nii and output <id>_out.nii, on disk. */
async function subject(dir: string, id: string): Promise<{ job: Job; record: SubjectRecord }> {
  const input = `${dir}/in/${id}.nii`, out = `${id}_out.nii`;
  await Deno.writeTextFile(input, `input ${id}`);
  await Deno.writeTextFile(`${dir}/out/${out}`, `output ${id}`);
  const record: SubjectRecord = {
    id,
    row: 1,
    status: "done",
    inputs: [{
      role: "image",
      label: false,
      path: input,
      sha256: sha256Bytes(`input ${id}`),
      dtype: "int16",
      shape: [1, 1, 1],
      frames: 1,
      spacing: [1, 1, 1],
      affine: [],
    }],
    steps: [],
    outputs: [{
      role: "image",
      copy: 0,
      path: out,
      sha256: sha256Bytes(`output ${id}`),
      size: `output ${id}`.length,
      dtype: "int16",
      dtypeReason: "",
      clamped: 0,
    }],
    warnings: [],
  };
  return { job: { id, row: 1, paths: { image: input } }, record };
}

Deno.test("findReusable keeps verified subjects and gives one reason for each rebuilt one", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/in`);
    await Deno.mkdir(`${dir}/out`);
    const subs = await Promise.all(
      ["a", "b", "c", "d", "e", "f", "g"].map((id) => subject(dir, id)),
    );
    const jobs = subs.map((s) => s.job);
    const planned = jobs.map((j) => ({
      id: j.id,
      row: 1,
      role: "image",
      copy: 0,
      path: `${j.id}_out.nii`,
    }));
    await Deno.writeTextFile(`${dir}/in/b.nii`, "input B"); // same size, other bytes
    await Deno.remove(`${dir}/out/c_out.nii`);
    await Deno.writeTextFile(`${dir}/out/d_out.nii`, "output D"); // same size, other bytes
    await Deno.writeTextFile(`${dir}/out/e_out.nii`, ""); // zero bytes
    await Deno.remove(`${dir}/out/f_out.nii`);
    await Deno.symlink(`${dir}/in/f.nii`, `${dir}/out/f_out.nii`);
    const [a, b, c, d, e, f, g] = subs.map((s) => s.record);
    const previous: PreviousRun = {
      sources: [
        // The provenance file says g failed; the journal (newer) says it finished.
        {
          file: "provenance.json",
          header: header(),
          records: [a, b, c, d, { ...g, status: "failed" }],
        },
        { file: "journal", header: header(), records: [e, f, g] },
      ],
      problems: [],
      siblings: [],
    };
    const plan = await findReusable(previous, jobs, planned, {
      header: header(),
      outDir: `${dir}/out`,
    });
    assert.deepEqual([...plan.reused.keys()], ["a", "g"]);
    assert.deepEqual(plan.rebuilt, [
      { id: "b", reason: "input changed" },
      { id: "c", reason: "output missing" },
      { id: "d", reason: "output changed" },
      { id: "e", reason: "output changed" },
      { id: "f", reason: "output changed" },
    ]);
    const only = (h: RunHeader) =>
      findReusable(
        { sources: [{ file: "p", header: h, records: [a] }], problems: [], siblings: [] },
        [jobs[0]],
        planned,
        {
          header: header(),
          outDir: `${dir}/out`,
        },
      );
    assert.deepEqual((await only(header({ seed: 2 }))).rebuilt, [{
      id: "a",
      reason: "recipe changed",
    }]);
    assert.deepEqual((await only(header({ recipe: "r2" }))).rebuilt, [{
      id: "a",
      reason: "recipe changed",
    }]);
    assert.deepEqual((await only(header({ source: "other" }))).rebuilt, [{
      id: "a",
      reason: "medprep changed",
    }]);
    assert.deepEqual((await only(header({ source: null }))).rebuilt, [{
      id: "a",
      reason: "medprep changed",
    }]);
    assert.deepEqual((await only(header({ version: "0.9" }))).rebuilt, [{
      id: "a",
      reason: "medprep changed",
    }]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sameMedprep needs the same version and a known, equal source sha256", () => {
  assert.ok(sameMedprep(header(), header()));
  assert.ok(!sameMedprep(header({ source: null }), header({ source: null })));
  assert.ok(!sameMedprep(header(), header({ version: "2" })));
});
