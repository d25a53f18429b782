import assert from "node:assert/strict";
import { resolvePairs } from "../../src/runner/pairs.ts";

Deno.test("resolvePairs resolves each pair's other half once, preferring the same compression", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (
      const name of ["a.hdr", "a.img", "a.img.gz", "b.img.gz", "b.hdr.gz", "c.hdr", "d.nii.gz"]
    ) {
      await Deno.writeTextFile(`${dir}/${name}`, "");
    }
    const jobs = resolvePairs([
      { id: "a", row: 1, paths: { image: `${dir}/a.hdr`, label: `${dir}/d.nii.gz` } },
      { id: "b", row: 2, paths: { image: `${dir}/b.img.gz` } },
      { id: "c", row: 3, paths: { image: `${dir}/c.hdr` } }, // no image half: left to the read
    ]);
    assert.deepEqual(jobs.map((j) => j.pairs), [
      { [`${dir}/a.hdr`]: `${dir}/a.img` },
      { [`${dir}/b.img.gz`]: `${dir}/b.hdr.gz` },
      undefined,
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
