import assert from "node:assert/strict";
import { formatBytes, readFreeBytes } from "../../src/runner/disk_space.ts";

Deno.test("readFreeBytes answers for a directory that does not exist yet (nearest ancestor)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const free = await readFreeBytes(`${dir}/not/yet/created`);
    if (typeof free === "number") assert.ok(free > 0);
    else assert.match(free.skipped, /df/); // no df on this system: skipped with a reason
  } finally {
    await Deno.remove(dir);
  }
});

Deno.test("formatBytes uses decimal units", () => {
  assert.equal(formatBytes(999), "999 B");
  assert.equal(formatBytes(1500), "1.5 kB");
  assert.equal(formatBytes(25_000_000), "25 MB");
  assert.equal(formatBytes(3.2e12), "3.2 TB");
});
