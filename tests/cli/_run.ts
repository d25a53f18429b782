const ROOT = new URL("../../", import.meta.url).pathname;

/**
 * The medprep CLI as `deno task medprep` runs it (same config and permissions), with `args`:
 * the argv of a subprocess (also used by the benchmarks).
 */
export function medprepCommand(args: string[]): string[] {
  return [
    Deno.execPath(),
    "run",
    "--quiet",
    "--config",
    `${ROOT}deno.json`,
    "--allow-read",
    "--allow-write",
    "--allow-env",
    "--allow-sys",
    "--allow-run=git,df",
    `${ROOT}src/main.ts`,
    ...args,
  ];
}

/** Runs `src/main.ts` with `args` in a subprocess; returns exit code, stdout and stderr. */
export async function runCli(
  args: string[],
  options: { cwd?: string } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const main = new URL("../../src/main.ts", import.meta.url).pathname;
  const config = new URL("../../deno.json", import.meta.url).pathname;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "-A", "--config", config, main, ...args],
    cwd: options.cwd,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}
