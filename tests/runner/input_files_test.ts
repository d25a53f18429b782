import assert from "node:assert/strict";
import { inputRecordFiles, outputMode } from "../../src/runner/input_files.ts";

Deno.test("outputMode is the rw bits every input has", () => {
  assert.equal(outputMode([0o644, 0o600]), 0o600);
  assert.equal(outputMode([0o755]), 0o644);
  assert.equal(outputMode([0o640, null, 0o664]), 0o640);
  assert.equal(outputMode([]), 0o666);
});

Deno.test("inputRecordFiles records a pair's other half as pairedFile", () => {
  const hdr = { path: "/a.hdr", sha256: "h", size: 348, mode: 0o644 };
  const img = { path: "/a.img", sha256: "i", size: 10, mode: 0o644 };
  assert.deepEqual(inputRecordFiles("/a.img", [hdr, img]), {
    path: "/a.img",
    sha256: "i",
    pairedFile: { path: "/a.hdr", sha256: "h" },
  });
  assert.deepEqual(inputRecordFiles("/a.hdr", [hdr]), { path: "/a.hdr", sha256: "h" });
});
