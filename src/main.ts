/**
 * medprep command-line entry: argv → subcommand. The only file that calls Deno.exit.
 * Permissions: --allow-read (recipes, manifests, inputs), --allow-write (outputs),
 * --allow-env (worker count, SLURM/Kubernetes shard variables), --allow-sys (cpu count, memory),
 * --allow-run=git (recipe commit for provenance).
 */
import { Command, CommanderError } from "commander";
import { IssuesError, NiftiError } from "./errors.ts";
import { VERSION } from "./version.ts";
import { createInspectCommand } from "./cli/inspect.ts";
import { createValidateCommand } from "./cli/validate.ts";
import { createStepsCommand } from "./cli/steps.ts";
import { createSchemaCommand } from "./cli/schema.ts";
import { createRunCommand } from "./cli/run.ts";
import { createMergeProvenanceCommand } from "./cli/merge_provenance.ts";
import { createReportCommand } from "./cli/report_html.ts";
import { createSplitCommand } from "./cli/split.ts";
import { createFingerprintCommand } from "./cli/fingerprint.ts";
import { createRestoreCommand } from "./cli/restore.ts";

async function main(argv: string[]): Promise<number> {
  let code = 0;
  const done = (c: number) => {
    code = c;
  };
  const program = new Command("medprep")
    .description("Reproducible preprocessing of 3D medical volumes (NIfTI) from YAML recipes")
    .version(VERSION)
    .exitOverride()
    .showHelpAfterError(false)
    .configureOutput({
      writeErr: (s) => Deno.stderr.writeSync(new TextEncoder().encode(s)),
    });
  for (
    const factory of [
      createRunCommand,
      createValidateCommand,
      createStepsCommand,
      createInspectCommand,
      createSchemaCommand,
      createMergeProvenanceCommand,
      createReportCommand,
      createSplitCommand,
      createFingerprintCommand,
      createRestoreCommand,
    ]
  ) {
    program.addCommand(factory(done).exitOverride());
  }
  try {
    await program.parseAsync(argv, { from: "user" });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version") return 0;
      if (e.code === "commander.help") return 0;
      return 2;
    }
    if (e instanceof IssuesError) {
      console.error(e.message);
      return 2;
    }
    if (e instanceof NiftiError) {
      console.error(e.message);
      return 1;
    }
    console.error(`medprep: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
