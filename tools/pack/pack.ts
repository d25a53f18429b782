/**
 * Builds medprep's npm package in a staging folder (never a package.json at the repository root,
 * which would change how Deno resolves this checkout's npm imports) and packs it with `npm pack`:
 *
 *   deno run --allow-read --allow-write --allow-run=npm tools/pack/pack.ts [--out DIR]
 *
 * prints the path of `medprep-<version>.tgz` (written to DIR, default the current directory).
 * The package holds src/, mod.ts, the docs, a `medprep` bin (tools/pack/medprep.cjs) that runs
 * src/main.ts on the `deno` npm package, a deno.json resolving the npm imports from node_modules
 * (`nodeModulesDir: manual`), and a package.json whose dependencies are exactly the versions
 * deno.json pins (so `npm install` brings everything; nothing is downloaded at run time).
 * Permissions: --allow-read, --allow-write (staging folder, DIR), --allow-run=npm.
 */
import { VERSION } from "../../src/version.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

/** npm dependencies of the package: deno.json's `npm:` imports (types excluded) and `deno`. */
export async function packageDependencies(root = ROOT): Promise<Record<string, string>> {
  const config = JSON.parse(await Deno.readTextFile(`${root}deno.json`));
  const deps: Record<string, string> = {};
  for (const spec of Object.values(config.imports as Record<string, string>)) {
    const m = /^npm:((?:@[^/@]+\/)?[^@]+)@(.+)$/.exec(spec);
    if (!m) throw new Error(`Cannot pack import "${spec}": only npm:name@version is supported`);
    if (!m[1].startsWith("@types/")) deps[m[1]] = m[2];
  }
  const toolchain = JSON.parse(await Deno.readTextFile(`${root}tools/deno/package.json`));
  deps.deno = toolchain.dependencies.deno;
  return deps;
}

/** The package's package.json. */
export async function packageJson(root = ROOT): Promise<Record<string, unknown>> {
  return {
    name: "medprep",
    version: VERSION,
    description:
      "Reproducible preprocessing of 3D medical volumes (NIfTI) from versioned YAML recipes",
    license: "MIT",
    bin: { medprep: "bin/medprep.cjs" },
    type: "module",
    files: ["bin/", "lib/", "src/", "docs/", "mod.ts", "deno.json", "deno.lock", "README.md"],
    engines: { node: ">=18" },
    dependencies: await packageDependencies(root),
  };
}

/** The package's deno.json: the same imports, resolved from node_modules, no lockfile. */
export async function packageDenoJson(root = ROOT): Promise<Record<string, unknown>> {
  const config = JSON.parse(await Deno.readTextFile(`${root}deno.json`));
  return {
    imports: config.imports,
    nodeModulesDir: "manual",
    lock: false,
    unstable: config.unstable,
    compilerOptions: config.compilerOptions,
  };
}

async function copyTree(from: string, to: string, files: string[] = []): Promise<string[]> {
  await Deno.mkdir(to, { recursive: true });
  for await (const e of Deno.readDir(from)) {
    if (e.isDirectory) await copyTree(`${from}/${e.name}`, `${to}/${e.name}`, files);
    else if (e.isFile) {
      await Deno.copyFile(`${from}/${e.name}`, `${to}/${e.name}`);
      files.push(`${from}/${e.name}`);
    }
  }
  return files;
}

/** Relative `.ts` module specifiers (imports, `new URL("./worker.ts", …)`) renamed to `.js`. */
export function renameSpecifiers(js: string): string {
  return js.replace(/(["'])(\.{1,2}\/[^"'\n]+)\.ts\1/g, "$1$2.js$1");
}

/**
 * Transpiles every file of `src/` to JavaScript in `lib/` (same tree; Deno, like Node, does not
 * strip types under node_modules), one module per file, npm imports left to node_modules.
 */
async function transpile(sources: string[], srcDir: string, libDir: string): Promise<void> {
  const ts = sources.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"));
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "bundle",
      "--quiet",
      "--inline-imports=false",
      "--packages",
      "external",
      "--outdir",
      libDir,
      ...ts,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(`Cannot transpile src/: ${new TextDecoder().decode(out.stderr)}`);
  }
  for (const f of ts) {
    const js = `${libDir}${f.slice(srcDir.length).replace(/\.ts$/, ".js")}`;
    await Deno.writeTextFile(js, renameSpecifiers(await Deno.readTextFile(js)));
  }
}

/** Stages the package in a temporary folder, packs it into `outDir`; returns the .tgz path. */
export async function pack(outDir: string, root = ROOT): Promise<string> {
  const stage = await Deno.makeTempDir({ prefix: "medprep-pack-" });
  try {
    // src/ (the TypeScript, read by the source hash of provenance) and lib/ (what runs).
    const sources = await copyTree(`${root}src`, `${stage}/src`);
    await transpile(sources, `${root}src`, `${stage}/lib`);
    await Deno.mkdir(`${stage}/bin`);
    await Deno.mkdir(`${stage}/docs`);
    await Deno.copyFile(`${root}tools/pack/medprep.cjs`, `${stage}/bin/medprep.cjs`);
    await Deno.chmod(`${stage}/bin/medprep.cjs`, 0o755);
    for (const f of ["mod.ts", "deno.lock", "README.md", "docs/SPEC.md", "docs/cluster.md"]) {
      await Deno.copyFile(`${root}${f}`, `${stage}/${f}`);
    }
    const json = (v: unknown) => JSON.stringify(v, null, 2) + "\n";
    await Deno.writeTextFile(`${stage}/package.json`, json(await packageJson(root)));
    await Deno.writeTextFile(`${stage}/deno.json`, json(await packageDenoJson(root)));
    await Deno.mkdir(outDir, { recursive: true });
    const out = await new Deno.Command("npm", {
      args: ["pack", "--json", "--pack-destination", outDir],
      cwd: stage,
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!out.success) {
      throw new Error(
        `Cannot pack medprep: npm pack failed: ${new TextDecoder().decode(out.stderr)}`,
      );
    }
    const [info] = JSON.parse(new TextDecoder().decode(out.stdout));
    return `${outDir.replace(/\/$/, "")}/${info.filename}`;
  } finally {
    await Deno.remove(stage, { recursive: true });
  }
}

if (import.meta.main) {
  const i = Deno.args.indexOf("--out");
  const outDir = i >= 0 ? Deno.args[i + 1] : Deno.cwd();
  console.log(await pack(outDir.startsWith("/") ? outDir : `${Deno.cwd()}/${outDir}`));
}
