/**
 * Helpers for benchmarks: run a child process (a Deno script or Debian's system python3)
 * and measure its wall time, peak resident memory and CPU time (via /usr/bin/time -f %M %U %S).
 * Permissions: --allow-run --allow-read.
 */

/** System python with nibabel/scipy (NOT the python3 first on PATH). */
export const PYTHON = "/usr/bin/python3";

/** What a measured child reported. */
export interface ChildResult {
  code: number;
  stdout: string;
  stderr: string;
  /** Peak RSS of the child in bytes. */
  peakRss: number;
  wallMs: number;
  /** User + system CPU seconds of the child and its threads (NaN when not reported). */
  cpuSeconds: number;
}

/** Runs `cmd` under /usr/bin/time and returns its output, exit code and peak RSS. */
export async function measureChild(
  cmd: string[],
  options: { cwd?: string } = {},
): Promise<ChildResult> {
  const marker = "@@peak-rss-kb=";
  const t0 = performance.now();
  const out = await new Deno.Command("/usr/bin/time", {
    args: ["-f", `${marker}%M cpu=%U+%S`, ...cmd],
    cwd: options.cwd,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const wallMs = performance.now() - t0;
  const stderr = new TextDecoder().decode(out.stderr);
  const m = stderr.match(new RegExp(`${marker}(\\d+) cpu=([\\d.]+)\\+([\\d.]+)`));
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: stderr.replace(new RegExp(`.*${marker}\\d+ cpu=\\S*\\n?`), ""),
    peakRss: m ? Number(m[1]) * 1024 : NaN,
    wallMs,
    cpuSeconds: m ? Number(m[2]) + Number(m[3]) : NaN,
  };
}

/** Runs a python snippet under the system python3, measured; `args` become sys.argv[1:]. */
export function measurePython(code: string, args: string[] = []): Promise<ChildResult> {
  return measureChild([PYTHON, "-c", code, ...args]);
}

/** Runs a Deno script (all permissions) in a fresh process, measured. */
export function measureDeno(script: string, args: string[] = []): Promise<ChildResult> {
  return measureChild([Deno.execPath(), "run", "-A", script, ...args]);
}

export { medprepCommand } from "../tests/cli/_run.ts";

/** Whether the system python has nibabel. */
export async function hasNibabel(): Promise<boolean> {
  try {
    const r = await new Deno.Command(PYTHON, { args: ["-c", "import nibabel"], stderr: "null" })
      .output();
    return r.code === 0;
  } catch {
    return false;
  }
}

/** The last line of stdout parsed as JSON (children print their timings that way). */
export function lastJson<T>(r: ChildResult): T {
  if (r.code !== 0) throw new Error(`child failed (exit ${r.code}): ${r.stderr.trim()}`);
  const lines = r.stdout.trim().split("\n");
  return JSON.parse(lines[lines.length - 1]) as T;
}

/** Formats bytes as MB (10^6). */
export const mb = (bytes: number): string => (bytes / 1e6).toFixed(1);
