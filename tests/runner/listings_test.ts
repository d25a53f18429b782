import assert from "node:assert/strict";
import { Listings } from "../../src/runner/listings.ts";

Deno.test("Listings lists a fresh --out once for any number of planned outputs", () => {
  const read: string[] = [];
  const listings = new Listings("/o", (dir) => {
    read.push(dir);
    if (dir === "/o") return ["sub-7", "top.nii.gz"];
    if (dir === "/o/sub-7") return ["image.nii.gz"];
    throw new Error("no such folder");
  });
  let found = 0;
  for (let i = 0; i < 100_000; i++) {
    if (listings.has(`/o/sub-${i}/image.nii.gz`)) found++;
    if (listings.has(`/o/sub-${i}/label.nii.gz`)) found++;
    if (listings.has(`/o/sub-${i}_x.nii.gz`)) found++;
  }
  assert.equal(found, 1);
  assert.ok(listings.has("/o/top.nii.gz"));
  assert.deepEqual(read, ["/o", "/o/sub-7"]);
});

Deno.test("Listings sees files, links and folders, never following a link", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "medprep-listings-" }));
  try {
    await Deno.writeTextFile(`${dir}/f`, "");
    await Deno.symlink(`${dir}/missing`, `${dir}/dangling`);
    await Deno.mkdir(`${dir}/d`);
    const listings = new Listings(dir);
    for (const name of ["f", "dangling", "d"]) assert.ok(listings.has(`${dir}/${name}`), name);
    assert.ok(!listings.has(`${dir}/missing`));
    assert.ok(!listings.has(`${dir}/f/x`), "a file is no folder");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
