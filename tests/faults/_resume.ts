/** Helpers of the resume/provenance fault tests: the real CLI in a subprocess, file stats, logs. */
import { readTree } from "../runner/_dataset.ts";

/** A recipe slow enough to interrupt (B-spline upsampling, gzip level 9); `spacing` varies it. */
export function heavyRecipe(name: string, spacing = "[0.45, 0.5, 0.6]"): string {
  return `version: 1
name: ${name}
steps:
  - step: load
    labels: [label]
  - step: resample-to-spacing
    spacing: ${spacing}
    interpolation: bspline
  - step: normalize
    method: zscore
  - step: save
    compression: 9
`;
}

import { medprep } from "./_faults.ts";

export { medprep };

/** Names of every file under `dir` (none when it does not exist). */
export async function listFiles(dir: string): Promise<string[]> {
  try {
    return [...(await readTree(dir)).keys()].sort();
  } catch {
    return [];
  }
}

/** Names under `dir` of files modified after `since` (ms since the epoch). */
async function newerThan(dir: string, since: number): Promise<string[]> {
  const names: string[] = [];
  for (const name of await listFiles(dir)) {
    const st = await Deno.lstat(`${dir}/${name}`).catch(() => null);
    if (st?.mtime && st.mtime.getTime() > since) names.push(name);
  }
  return names;
}

/**
 * Starts `medprep run` and kills it (SIGKILL unless `signal` says otherwise) once at least `subjects` subjects have both outputs
 * (`<id>_image.nii.gz` and `<id>_label.nii.gz`) written by it in `out`; returns the names
 * present then.
 */
export async function killNineMidRun(
  args: string[],
  out: string,
  subjects: number,
  signal: Deno.Signal = "SIGKILL",
) {
  const since = Date.now();
  const child = medprep(args).spawn();
  const output = child.output();
  let exited = false;
  output.then(() => exited = true, () => exited = true);
  const deadline = Date.now() + 120_000;
  for (;;) {
    const files = await newerThan(out, since);
    const complete = files.filter((n) =>
      n.endsWith("_label.nii.gz") && files.includes(n.replace("_label", "_image"))
    );
    if (complete.length >= subjects) break;
    if (exited || Date.now() > deadline) {
      if (!exited) child.kill("SIGKILL");
      const early = await output;
      throw new Error(`the run ended or stalled early: ${new TextDecoder().decode(early.stderr)}`);
    }
    await new Promise((r) => setTimeout(r, 15));
  }
  child.kill(signal);
  const status = await output;
  // Killed by the signal, or (should medprep ever handle it) stopped as interrupted.
  if (status.signal !== signal && status.code !== 130) {
    throw new Error(`not stopped by ${signal}: exit ${status.code}`);
  }
  return await listFiles(out);
}

/** Inode and mtime of every file under `dir`: equal values mean the file was not rewritten. */
export async function fileIdentities(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const name of await listFiles(dir)) {
    const st = await Deno.lstat(`${dir}/${name}`);
    out.set(name, `${st.ino}:${st.mtime?.getTime()}`);
  }
  return out;
}

/** Runs `fn` with console.error captured (and silenced); returns its value and the lines. */
export async function captureStderr<T>(
  fn: () => Promise<T>,
): Promise<{ value: T; lines: string[] }> {
  const lines: string[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => {
    lines.push(args.map(String).join(" "));
  };
  try {
    return { value: await fn(), lines };
  } finally {
    console.error = original;
  }
}
