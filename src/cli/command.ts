import type { Command } from "commander";

/**
 * A subcommand factory. The action reports its exit code through `done`
 * (main.ts is the only place that calls Deno.exit); errors it throws are
 * printed by main.ts: RecipeError/ManifestError/UsageError → exit 2, others → exit 1.
 */
export type CommandFactory = (done: (code: number) => void) => Command;
