/** Runs Debian's python3 + numpy on files (tests of the NumPy outputs; skipped when absent). */

const PYTHON = "/usr/bin/python3";

function probe(module: string): boolean {
  try {
    return new Deno.Command(PYTHON, {
      args: ["-c", `import ${module}`],
      stdout: "null",
      stderr: "null",
    })
      .outputSync().success;
  } catch {
    return false;
  }
}

/** Whether /usr/bin/python3 imports numpy. */
export const HAVE_NUMPY: boolean = probe("numpy");
/** Whether /usr/bin/python3 imports numpy and nibabel. */
export const HAVE_NIBABEL: boolean = HAVE_NUMPY && probe("nibabel");

if (!HAVE_NIBABEL) {
  console.warn(`NOTICE: ${PYTHON} with numpy + nibabel not found; NumPy output checks are skipped`);
}

/** Runs `code` (the JSON input is `inp`; assign the JSON-able result to `out`) and returns `out`. */
export function runPython(code: string, input: unknown): unknown {
  const script = `import json, sys\nimport numpy as np\ninp = json.loads(sys.stdin.read())\n` +
    `${code}\nprint(json.dumps(out))\n`;
  const child = new Deno.Command(PYTHON, {
    args: ["-c", script],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const w = child.stdin.getWriter();
  const done = w.write(new TextEncoder().encode(JSON.stringify(input))).then(() => w.close());
  return done.then(() => child.output()).then((o) => {
    if (!o.success) throw new Error(`python failed: ${new TextDecoder().decode(o.stderr)}`);
    return JSON.parse(new TextDecoder().decode(o.stdout));
  });
}
