import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url).pathname;

Deno.test("deno task run pipelines/demo.yaml works in a fresh copy (demo data generated first)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "medprep-task-" });
  try {
    for (const f of ["deno.json", "deno.lock"]) await Deno.copyFile(`${ROOT}${f}`, `${dir}/${f}`);
    for (const d of ["src", "tools", "pipelines"]) await Deno.mkdir(`${dir}/${d}`);
    await new Deno.Command("cp", { args: ["-r", `${ROOT}src/.`, `${dir}/src/`] }).output();
    for (const f of ["make_demo_data.ts", "demo_sets.ts"]) {
      await Deno.copyFile(`${ROOT}tools/${f}`, `${dir}/tools/${f}`);
    }
    await Deno.copyFile(`${ROOT}pipelines/demo.yaml`, `${dir}/pipelines/demo.yaml`);
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["task", "run", "pipelines/demo.yaml", "--dry-run", "--quiet"],
      cwd: dir,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, stderr);
    assert.match(new TextDecoder().decode(out.stdout), /subject "case003" \(row 4\)/);
    assert.ok((await Deno.stat(`${dir}/demo-data/manifest.csv`)).isFile);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
