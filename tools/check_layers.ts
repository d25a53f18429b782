/**
 * Layer check: every file under `src/` imports only files of its own layer or a lower one, and
 * no files import each other in a cycle (STYLE: "layers import downward only"). The import graph
 * is Deno's own (`deno info --json` of a root that imports every file under the folder, so files
 * that `main.ts` does not reach are checked too).
 *
 * `deno run --allow-read --allow-write --allow-run tools/check_layers.ts [DIR]` (default `src`)
 * prints one line per problem (`file:line:col message`) and exits 1 when there is any.
 * `deno task layers` runs it; `deno task check` and `.ci/run` include it.
 */

/**
 * The layers of `src/`, lowest first; each entry lists the folders (`name/`) and files of one
 * layer. A file may import its own layer and the ones before it. Keep in step with the Layout
 * paragraph of README.md.
 */
export const LAYERS: readonly (readonly string[])[] = [
  ["volume/", "random/", "errors.ts", "version.ts"],
  ["nifti/", "npy/"],
  ["preview/"],
  ["manifest/"],
  ["steps/"],
  ["recipe/"],
  ["provenance/"],
  ["report/"],
  ["runner/"],
  ["cli/"],
  ["main.ts"],
];

/** One import edge between two files under the checked folder (paths relative to it). */
export interface ImportEdge {
  readonly from: string;
  readonly to: string;
  /** 1-based position of the specifier in `from`. */
  readonly line: number;
  readonly col: number;
}

/** One problem: a file position and what is wrong. */
export interface LayerIssue {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly message: string;
}

/** Index in `layers` of the layer holding `file` (relative path), or -1. */
export function layerOf(file: string, layers: readonly (readonly string[])[] = LAYERS): number {
  return layers.findIndex((layer) =>
    layer.some((entry) => entry.endsWith("/") ? file.startsWith(entry) : file === entry)
  );
}

function layerName(index: number, layers: readonly (readonly string[])[]): string {
  return layers[index].join(" ");
}

/** Files of `dir` (recursively) ending in `.ts`, relative to it, sorted. */
export function listSources(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of Deno.readDirSync(rel ? `${dir}/${rel}` : dir)) {
      const path = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory) walk(path);
      else if (e.isFile && e.name.endsWith(".ts")) out.push(path);
    }
  };
  walk("");
  return out.sort();
}

interface InfoDependency {
  specifier: string;
  code?: { specifier?: string; span?: { start: { line: number; character: number } } };
  type?: { specifier?: string; span?: { start: { line: number; character: number } } };
}

interface InfoModule {
  specifier: string;
  dependencies?: InfoDependency[];
}

/**
 * Import edges between the `.ts` files of `dir`, from `deno info --json` of a temporary root
 * that imports every one of them (`config`: the deno.json whose import map resolves bare names).
 */
export async function readImportGraph(
  dir: string,
  options: { config?: string; deno?: string } = {},
): Promise<{ files: string[]; edges: ImportEdge[] }> {
  const abs = await Deno.realPath(dir);
  const files = listSources(abs);
  const tmp = await Deno.makeTempDir({ prefix: "medprep-layers-" });
  try {
    const root = `${tmp}/root.ts`;
    const url = (f: string) => new URL(`file://${abs}/${f}`).href;
    await Deno.writeTextFile(
      root,
      files.map((f) => `import ${JSON.stringify(url(f))};\n`).join(""),
    );
    const args = ["info", "--json", "--quiet"];
    if (options.config) args.push("--config", options.config);
    else args.push("--no-config");
    const out = await new Deno.Command(options.deno ?? Deno.execPath(), {
      args: [...args, root],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!out.success) {
      throw new Error(
        `Cannot read the import graph of "${dir}": deno info failed: ${
          new TextDecoder().decode(out.stderr).trim()
        }`,
      );
    }
    const info = JSON.parse(new TextDecoder().decode(out.stdout)) as { modules: InfoModule[] };
    const prefix = new URL(`file://${abs}/`).href;
    const rel = (spec: string | undefined) =>
      spec?.startsWith(prefix) ? decodeURIComponent(spec.slice(prefix.length)) : null;
    const edges: ImportEdge[] = [];
    for (const m of info.modules) {
      const from = rel(m.specifier);
      if (from === null) continue;
      for (const d of m.dependencies ?? []) {
        const seen = new Set<string>();
        for (const r of [d.code, d.type]) {
          const to = rel(r?.specifier);
          if (to === null || seen.has(to)) continue;
          seen.add(to);
          const start = r?.span?.start ?? { line: 0, character: 0 };
          edges.push({ from, to, line: start.line + 1, col: start.character + 1 });
        }
      }
    }
    edges.sort((a, b) => a.from.localeCompare(b.from) || a.line - b.line || a.col - b.col);
    return { files, edges };
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}

/** Cycles of the graph: its strongly connected components of more than one file (or a self import). */
export function findCycles(edges: readonly ImportEdge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const e of edges) {
    if (!next.has(e.from)) next.set(e.from, []);
    next.get(e.from)!.push(e.to);
  }
  const nodes = [...new Set(edges.flatMap((e) => [e.from, e.to]))].sort();
  // Tarjan's algorithm, iterative.
  const index = new Map<string, number>(), low = new Map<string, number>();
  const onStack = new Set<string>(), stack: string[] = [], out: string[][] = [];
  let counter = 0;
  for (const start of nodes) {
    if (index.has(start)) continue;
    const work: { node: string; i: number }[] = [{ node: start, i: 0 }];
    index.set(start, counter), low.set(start, counter++), stack.push(start), onStack.add(start);
    while (work.length > 0) {
      const top = work[work.length - 1];
      const succ = next.get(top.node) ?? [];
      if (top.i < succ.length) {
        const w = succ[top.i++];
        if (!index.has(w)) {
          index.set(w, counter), low.set(w, counter++), stack.push(w), onStack.add(w);
          work.push({ node: w, i: 0 });
        } else if (onStack.has(w)) low.set(top.node, Math.min(low.get(top.node)!, index.get(w)!));
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1].node;
        low.set(parent, Math.min(low.get(parent)!, low.get(top.node)!));
      }
      if (low.get(top.node) === index.get(top.node)) {
        const scc: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          scc.push(w);
        } while (w !== top.node);
        const selfLoop = succ.includes(top.node);
        if (scc.length > 1 || selfLoop) out.push(scc.sort());
      }
    }
  }
  return out.sort((a, b) => a[0].localeCompare(b[0]));
}

/** Every upward import, file outside the layers and import cycle of a graph. */
export function checkLayers(
  graph: { files: readonly string[]; edges: readonly ImportEdge[] },
  layers: readonly (readonly string[])[] = LAYERS,
): LayerIssue[] {
  const issues: LayerIssue[] = [];
  for (const f of graph.files) {
    if (layerOf(f, layers) < 0) {
      issues.push({
        file: f,
        line: 1,
        col: 1,
        message: "is in no layer: add its folder to LAYERS in tools/check_layers.ts",
      });
    }
  }
  for (const e of graph.edges) {
    const a = layerOf(e.from, layers), b = layerOf(e.to, layers);
    if (a >= 0 && b > a) {
      issues.push({
        file: e.from,
        line: e.line,
        col: e.col,
        message: `imports "${e.to}" of a higher layer (${layerName(a, layers)} < ${
          layerName(b, layers)
        }): layers import downward only`,
      });
    }
  }
  for (const cycle of findCycles(graph.edges)) {
    const inCycle = new Set(cycle);
    const first = graph.edges.find((e) => e.from === cycle[0] && inCycle.has(e.to));
    issues.push({
      file: cycle[0],
      line: first?.line ?? 1,
      col: first?.col ?? 1,
      message: `is in an import cycle: ${cycle.join(" ↔ ")}`,
    });
  }
  return issues;
}

if (import.meta.main) {
  const dir = Deno.args[0] ?? "src";
  let config: string | undefined = "deno.json";
  try {
    Deno.statSync(config);
  } catch {
    config = undefined;
  }
  const graph = await readImportGraph(dir, { config });
  const issues = checkLayers(graph);
  for (const i of issues) console.error(`${dir}/${i.file}:${i.line}:${i.col} ${i.message}`);
  if (issues.length > 0) {
    console.error(`layers: ${issues.length} problem(s) in ${dir}/ (order: see README, Layout)`);
    Deno.exit(1);
  }
  console.log(
    `layers: ${graph.files.length} files, ${graph.edges.length} imports, no cycle, none upward`,
  );
}
