import assert from "node:assert/strict";
import { findSameFile, indexInputFiles } from "../../src/runner/same_file.ts";

Deno.test("findSameFile finds an input through a symlinked folder, a file link and a hard link, never by text", () => {
  const dir = Deno.makeTempDirSync({ prefix: "medprep-same-file-" });
  try {
    Deno.mkdirSync(`${dir}/data`);
    Deno.writeTextFileSync(`${dir}/data/a.nii`, "a");
    Deno.writeTextFileSync(`${dir}/data/b.nii`, "b");
    Deno.symlinkSync(`${dir}/data`, `${dir}/link`);
    Deno.symlinkSync(`${dir}/data/a.nii`, `${dir}/a-link.nii`);
    Deno.linkSync(`${dir}/data/a.nii`, `${dir}/a-hard.nii`);
    const inputs = [`${dir}/data/b.nii`, `${dir}/data/a.nii`];
    for (const path of [`${dir}/link/a.nii`, `${dir}/a-link.nii`, `${dir}/a-hard.nii`]) {
      assert.equal(findSameFile(path, inputs), `${dir}/data/a.nii`, path);
    }
    assert.equal(findSameFile(`${dir}/link/../data/b.nii`, inputs), `${dir}/data/b.nii`);
    // A path that does not exist is no existing input, whatever its text; a copy is another file.
    assert.equal(findSameFile(`${dir}/link/c.nii`, [`${dir}/link/c.nii`]), undefined);
    Deno.copyFileSync(`${dir}/data/a.nii`, `${dir}/a-copy.nii`);
    assert.equal(findSameFile(`${dir}/a-copy.nii`, inputs), undefined);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("indexInputFiles reports what was given for the input and stats nothing for new paths", () => {
  const dir = Deno.makeTempDirSync({ prefix: "medprep-same-file-" });
  try {
    Deno.writeTextFileSync(`${dir}/x.nii`, "x");
    let read = 0;
    const inputs = function* () {
      read++;
      yield [`${dir}/x.nii`, { id: "s1", row: 2 }] as const;
    };
    const index = indexInputFiles(inputs());
    assert.equal(index.find(`${dir}/new.nii`), undefined);
    assert.equal(read, 0); // nothing exists at the path: the inputs are not even listed
    assert.deepEqual(index.find(`${dir}/./x.nii`), { id: "s1", row: 2 });
    assert.equal(read, 1);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
