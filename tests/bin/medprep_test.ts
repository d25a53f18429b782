import assert from "node:assert/strict";

const LAUNCHER = new URL("../../bin/medprep", import.meta.url).pathname;

async function launch(args: string[]) {
  const out = await new Deno.Command(LAUNCHER, { args, stdout: "piped", stderr: "piped" })
    .output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("bin/medprep run with an option first reports only the CLI's own error", async () => {
  const r = await launch(["run", "--out", "/tmp/medprep-launcher-test"]);
  assert.equal(r.code, 2);
  assert.equal(r.stderr.trim(), "error: missing required argument 'recipe'");
});

Deno.test("bin/medprep run accepts options before the demo recipe", async () => {
  const demo = new URL("../../pipelines/demo.yaml", import.meta.url).pathname;
  const r = await launch(["run", "--dry-run", "--quiet", demo]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /subject "case001" \(row 2\)/);
});
