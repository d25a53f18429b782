import { LIBDEFLATE_CANDIDATES } from "../../src/nifti/libdeflate.ts";
import { LIBC_CANDIDATES } from "../../src/runner/huge_pages.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

/**
 * The --allow-ffi grant of every launcher: the system libdeflate (src/nifti/libdeflate.ts) and
 * libc for huge-page advice in the main thread (src/runner/huge_pages.ts), by exact file.
 */
export const FFI_FLAG = `--allow-ffi=${[...LIBDEFLATE_CANDIDATES, ...LIBC_CANDIDATES].join(",")}`;

/**
 * Whether `taskset` (util-linux) can run a command: the tests and benchmarks that hold a run to
 * one core (the process then sees one CPU) need it.
 */
export async function hasTaskset(): Promise<boolean> {
  try {
    const r = await new Deno.Command("taskset", { args: ["-c", "0", "true"], stderr: "null" })
      .output();
    return r.code === 0;
  } catch {
    return false;
  }
}

/**
 * The medprep CLI as `deno task medprep` and bin/medprep run it (same config, permissions and
 * GLIBC_TUNABLES), with `args`: the argv of a subprocess (also used by the benchmarks).
 */
export function medprepCommand(args: string[]): string[] {
  return [
    "/usr/bin/env",
    "GLIBC_TUNABLES=glibc.malloc.hugetlb=1",
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
    FFI_FLAG,
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
