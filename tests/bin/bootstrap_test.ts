/**
 * script/bootstrap offline (issue 14.5): when the npm registry does not answer within
 * $MEDPREP_REGISTRY_TIMEOUT seconds, the pinned Deno is installed from the npm cache with a
 * message, instead of `npm ci` retrying for minutes. The registry is made unreachable through a
 * local proxy that accepts connections and never answers (only 127.0.0.1 is contacted).
 */
import assert from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url).pathname;

const HANGING_PROXY = `
const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
console.log(listener.addr.port);
const held = [];
for await (const conn of listener) { held.push(conn); console.log("accepted"); }
`;

Deno.test({
  name: "script/bootstrap falls back to the npm cache within seconds when the registry hangs",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    // A subprocess (the tests have no net permission): prints its port, then a line per
    // connection it accepts and never answers.
    const dir = await Deno.makeTempDir({ prefix: "medprep-bootstrap-" });
    await Deno.writeTextFile(`${dir}/proxy.ts`, HANGING_PROXY);
    const server = new Deno.Command(Deno.execPath(), {
      args: ["run", "--quiet", "--no-config", "--allow-net=127.0.0.1", `${dir}/proxy.ts`],
      stdout: "piped",
      stderr: "null",
    }).spawn();
    const lines = server.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let seen = "";
    while (!seen.includes("\n")) {
      const { value, done } = await lines.read();
      if (done) throw new Error("the hanging proxy did not start");
      seen += value;
    }
    const proxy = `http://127.0.0.1:${seen.trim()}`;
    try {
      await Deno.mkdir(`${dir}/script`);
      await Deno.mkdir(`${dir}/tools/deno`, { recursive: true });
      await Deno.copyFile(`${ROOT}script/bootstrap`, `${dir}/script/bootstrap`);
      for (const f of ["deno.json", "deno.lock", "tools/deno/package.json"]) {
        await Deno.copyFile(`${ROOT}${f}`, `${dir}/${f}`);
      }
      await Deno.copyFile(
        `${ROOT}tools/deno/package-lock.json`,
        `${dir}/tools/deno/package-lock.json`,
      );
      const started = performance.now();
      const out = await new Deno.Command("bash", {
        args: ["-c", 'source script/bootstrap && "$DENO" --version'],
        cwd: dir,
        env: {
          npm_config_proxy: proxy,
          npm_config_https_proxy: proxy,
          MEDPREP_REGISTRY_TIMEOUT: "3",
        },
        stdout: "piped",
        stderr: "piped",
        signal: AbortSignal.timeout(150_000),
      }).output();
      const seconds = (performance.now() - started) / 1000;
      const stderr = new TextDecoder().decode(out.stderr);
      assert.equal(out.code, 0, stderr);
      assert.match(
        stderr,
        /medprep: the npm registry did not answer within 3 s; installing the pinned Deno from the npm cache \(npm ci --offline\)/,
      );
      assert.match(new TextDecoder().decode(out.stdout), /^deno 2\.\d+\.\d+/);
      // npm ci through a hanging registry waits minutes; the fallback takes the install's time.
      assert.ok(seconds < 120, `took ${seconds.toFixed(0)} s`);
    } finally {
      server.kill();
      await server.status;
      await lines.cancel().catch(() => {});
      await Deno.remove(dir, { recursive: true });
    }
  },
});
