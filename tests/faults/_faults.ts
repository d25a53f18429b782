/**
 * Helpers of the fault-injection suite: the real CLI in a subprocess (with a time limit, so a
 * hang fails the test instead of stalling the suite), small recipes and file listings.
 */
import { medprepCommand } from "../cli/_run.ts";
import { readTree } from "../runner/_dataset.ts";

/** A recipe that writes `{id}_{role}` by default (or the given save name); role `label` is a label. */
export function simpleRecipe(save = "", options: { labels?: boolean } = {}): string {
  return `version: 1
name: simple
steps:
  - step: load
${options.labels === false ? "" : "    labels: [label]\n"}  - step: resample-to-spacing
    spacing: [2, 2, 2]
  - step: save
${save ? `    name: "${save}"\n` : ""}    compression: 1
`;
}

/**
 * A recipe `name` (seed 1) resampling image and label to `spacing` mm, then saving; `save` adds
 * the save step's lines (e.g. `    name: "{stem}_{role}.nii.gz"\n`).
 */
export function spacingRecipe(name: string, spacing: number, save = ""): string {
  return `version: 1
name: ${name}
seed: 1
steps:
  - step: load
    labels: [label]
  - step: resample-to-spacing
    spacing: [${spacing}, ${spacing}, ${spacing}]
  - step: save
${save}`;
}

/** A slow recipe (B-spline upsampling, gzip level 9): leaves time to interrupt a run. */
export const HEAVY_RECIPE = `version: 1
name: heavy
steps:
  - step: load
    labels: [label]
  - step: resample-to-spacing
    spacing: [0.45, 0.5, 0.6]
    interpolation: bspline
  - step: normalize
    method: zscore
  - step: save
    compression: 9
`;

/** The medprep command with the permissions of `deno task medprep` (tests/cli/_run.ts). */
export function medprep(args: string[], options: { cwd?: string } = {}): Deno.Command {
  const [command, ...rest] = medprepCommand(args);
  return new Deno.Command(command, {
    args: rest,
    cwd: options.cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  });
}

/** Result of a finished CLI run. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Runs the CLI to the end, killing it after `timeoutMs` (then `timedOut` is true). */
export async function runMedprep(
  args: string[],
  options: { cwd?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  const child = medprep(args, options).spawn();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, options.timeoutMs ?? 60_000);
  try {
    const out = await child.output();
    const dec = new TextDecoder();
    return {
      code: out.code,
      stdout: dec.decode(out.stdout),
      stderr: dec.decode(out.stderr),
      timedOut,
    };
  } finally {
    clearTimeout(timer);
  }
}

/** Every file under `dir` (sorted relative paths); [] when it does not exist. */
export async function listFiles(dir: string): Promise<string[]> {
  try {
    return [...(await readTree(dir)).keys()].sort();
  } catch {
    return [];
  }
}

/** Every directory under `dir` (sorted relative paths, `dir` itself excluded). */
export async function listDirs(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string) => {
    for await (const e of Deno.readDir(rel ? `${dir}/${rel}` : dir)) {
      const path = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory) {
        out.push(path);
        await walk(path);
      }
    }
  };
  await walk("").catch(() => {});
  return out.sort();
}

/** Polls `condition` every `everyMs` until it holds; fails after `timeoutMs`. */
export async function waitFor(
  condition: () => Promise<boolean>,
  what: string,
  options: { timeoutMs?: number; everyMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, options.everyMs ?? 20));
  }
}
