/** Runs small numpy/scipy cross-checks through /usr/bin/python3 (skipped visibly when absent). */

const PYTHON = "/usr/bin/python3";

function probe(): boolean {
  try {
    const out = new Deno.Command(PYTHON, {
      args: ["-c", "import numpy, scipy.ndimage"],
      stdout: "null",
      stderr: "null",
    }).outputSync();
    return out.success;
  } catch {
    return false;
  }
}

/** Whether /usr/bin/python3 with numpy + scipy can run (probed once). */
export const HAVE_SCIPY: boolean = probe();

if (!HAVE_SCIPY) {
  console.warn(`NOTICE: ${PYTHON} with scipy not found; scipy cross-check tests are skipped`);
}

/**
 * Runs `code` (Python; the JSON input is in variable `inp`, assign the JSON-able
 * result to `out`) and returns `out`.
 */
export async function runScipy(code: string, input: unknown): Promise<unknown> {
  const script = `import json, sys\nimport numpy as np\nimport scipy.ndimage as nd\n` +
    `inp = json.loads(sys.stdin.read())\n${code}\nprint(json.dumps(out))\n`;
  const child = new Deno.Command(PYTHON, {
    args: ["-c", script],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(JSON.stringify(input)));
  await writer.close();
  const o = await child.output();
  if (!o.success) throw new Error(`python failed: ${new TextDecoder().decode(o.stderr)}`);
  return JSON.parse(new TextDecoder().decode(o.stdout));
}
