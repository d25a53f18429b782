/**
 * Benchmark dispatcher: `deno task bench <name> [args…]` runs bench/<name>.ts's default
 * export (or its `main`) with the remaining arguments; `deno task bench` lists them.
 * Permissions: those of the task (read, write, env, sys, run).
 */
type BenchMain = (args: string[]) => unknown;

function available(): string[] {
  const dir = new URL("./", import.meta.url);
  return [...Deno.readDirSync(dir)]
    .map((e) => e.name)
    .filter((n) => n.endsWith(".ts") && n !== "main.ts" && !n.startsWith("_"))
    .map((n) => n.slice(0, -3))
    .sort();
}

async function run(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const names = available();
  if (!name) {
    console.log(`usage: deno task bench <name> [args…]\navailable: ${names.join(", ")}`);
    return 0;
  }
  if (!names.includes(name)) {
    console.error(
      `Cannot run benchmark "${name}": no bench/${name}.ts (available: ${names.join(", ")})`,
    );
    return 2;
  }
  const mod = await import(new URL(`./${name}.ts`, import.meta.url).href);
  const fn = (mod.default ?? mod.main) as BenchMain | undefined;
  if (typeof fn !== "function") {
    console.error(
      `Cannot run benchmark "${name}": bench/${name}.ts exports no default or main function`,
    );
    return 2;
  }
  const code = await fn(rest);
  return typeof code === "number" ? code : 0;
}

if (import.meta.main) Deno.exit(await run(Deno.args));
