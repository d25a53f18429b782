/**
 * Issue #10 item 8: messages that tell the truth (huge NIfTI-2 dimensions, sandbox denials,
 * corrupt provenance for merge-provenance).
 */
import assert from "node:assert/strict";
import { describeFailure } from "../../src/runner/failure_message.ts";
import { makeVolume } from "../_volumes.ts";
import { niftiBytes } from "../nifti/_nifti.ts";
import { runMedprep } from "./_faults.ts";

Deno.test("inspect says a huge NIfTI-2 dimension is too large, not that it must be ≥ 1", async () => {
  const dir = await Deno.makeTempDir({ prefix: "medprep-msg-" });
  try {
    const vol = makeVolume({ shape: [5, 6, 7], fn: (i) => i });
    const file = `${dir}/huge.nii`;
    await Deno.writeFile(
      file,
      niftiBytes(vol, { version: 2, mutate: (h) => h.dim[2] = 2 ** 60 }).hdr,
    );
    const r = await runMedprep(["inspect", file]);
    assert.equal(r.code, 1, r.stderr);
    assert.doesNotMatch(r.stderr, /must be ≥ 1/);
    assert.match(r.stderr, /huge\.nii.*dim\[2\] = 1152921504606846976 is too large/);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("describeFailure turns Deno's sandbox denials into what medprep means", () => {
  const write = new Deno.errors.NotCapable(
    'Requires write access to "/data/x.nii.gz", run again with the --allow-write flag',
  );
  assert.equal(
    describeFailure(write),
    'Cannot write "/data/x.nii.gz": it is outside the output folder, which medprep never writes',
  );
  const read = new Deno.errors.NotCapable(
    'Requires read access to "/data/y.img", run again with the --allow-read flag',
  );
  assert.equal(
    describeFailure(read),
    'Cannot read "/data/y.img": it is not an input of this subject in the manifest',
  );
  assert.equal(
    describeFailure(
      'Uncaught NotCapable: Requires write access to "/x", run again with the --allow-write flag',
    ),
    'Cannot write "/x": it is outside the output folder, which medprep never writes',
  );
  assert.equal(describeFailure(new Error("plain")), "plain");
  assert.equal(describeFailure("text"), "text");
});

Deno.test("merge-provenance names the file and what is wrong in a corrupt shard file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "medprep-msg-" });
  try {
    const good = {
      tool: { name: "medprep", version: "0.1.0" },
      shard: { index: 1, count: 2, assigned: ["a"], all: ["a", "b"] },
      recipe: { sha256: "r", resolved: {} },
      manifest: { sha256: "m" },
      status: "complete",
      subjects: [{ id: "a", row: 2, status: "done", inputs: [], steps: [], outputs: [] }],
    };
    await Deno.writeTextFile(`${dir}/provenance.shard-1-of-2.json`, JSON.stringify(good));
    await Deno.writeTextFile(`${dir}/provenance.shard-2-of-2.json`, JSON.stringify({ tool: {} }));
    const r = await runMedprep(["merge-provenance", dir]);
    assert.notEqual(r.code, 0);
    assert.doesNotMatch(r.stderr, /Cannot read properties of undefined/);
    assert.match(
      r.stderr,
      /provenance\.shard-2-of-2\.json": it is not a medprep provenance file: "subjects" is missing/,
    );
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    await Deno.writeTextFile(
      `${dir}/provenance.shard-2-of-2.json`,
      '{"recipe": {}, "manifest": {}, "subjects": [{"id": 3}]}',
    );
    const s = await runMedprep(["merge-provenance", dir]);
    assert.match(s.stderr, /provenance\.shard-2-of-2\.json": .*subjects\[0\]\.id is missing/);
    assert.doesNotMatch(s.stderr, /Cannot read properties/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
