import { Command, Option } from "commander";
import { IssuesError, ManifestError, RecipeError, UsageError } from "../errors.ts";
import { readManifest } from "../manifest/manifest.ts";
import { bindManifest } from "../recipe/bind_manifest.ts";
import { readRecipe } from "../recipe/validate.ts";
import type { CommandFactory } from "./command.ts";
import { checkExpandedGlob } from "./glob_hint.ts";
import { printIssues } from "./report.ts";

interface ValidateOptions {
  manifest?: string;
  input?: string;
  idFrom?: "stem" | "dir";
}

/** Validates one recipe (and the manifest against it); prints its line or its issues. */
async function validateOne(file: string, options: ValidateOptions): Promise<boolean> {
  try {
    const { plan } = await readRecipe(file);
    const source = options.manifest ?? options.input;
    let extra = "";
    if (source !== undefined) {
      const manifest = await readManifest(source, {
        glob: options.manifest === undefined && options.input !== undefined,
        idFrom: options.idFrom,
      });
      const bound = bindManifest(plan, manifest);
      for (const w of bound.warnings) console.error(`medprep: warning: ${w}`);
      extra = `, ${manifest.rows.length} subject${
        manifest.rows.length === 1 ? "" : "s"
      } in ${source}`;
    }
    const n = plan.steps.length;
    console.log(`${file}: ok (${n} step${n === 1 ? "" : "s"}${extra})`);
    return true;
  } catch (e) {
    if (e instanceof IssuesError) {
      const subject = e instanceof RecipeError
        ? file
        : e instanceof ManifestError
        ? "manifest"
        : "arguments";
      printIssues(e.issues, subject);
      return false;
    }
    throw e;
  }
}

/**
 * `validate <recipe.yaml>... [--manifest F | --input GLOB]`: checks every recipe given (and
 * optionally a manifest against each) without reading any volume; exit 0 when all are valid,
 * 2 otherwise (every recipe is still checked and reported).
 * Permissions: --allow-read.
 */
export const createValidateCommand: CommandFactory = (done) =>
  new Command("validate")
    .description("Check recipes completely (every problem at once) without running them")
    .argument("<recipes...>", "recipe YAML files")
    .option("--manifest <file>", "also check a manifest (CSV, TSV, JSON, JSONL, dataset.json)")
    .option("--input <glob>", "also check the files matching a glob (id = file stem)")
    .addOption(
      new Option("--id-from <source>", "with --input: subject id from the file stem or its folder")
        .choices(["stem", "dir"]),
    )
    .action(async (files: string[], options: ValidateOptions) => {
      try {
        checkExpandedGlob(options.input, files);
        if (options.manifest !== undefined && options.input !== undefined) {
          throw new UsageError([{
            path: "--manifest",
            message: "Cannot use both --manifest and --input: give one",
          }]);
        }
        if (options.idFrom !== undefined && options.input === undefined) {
          throw new UsageError([{
            path: "--id-from",
            message: "Cannot use --id-from without --input (a manifest names its ids)",
          }]);
        }
      } catch (e) {
        if (e instanceof UsageError) {
          printIssues(e.issues, "arguments");
          done(2);
          return;
        }
        throw e;
      }
      let ok = 0;
      for (const file of files) if (await validateOne(file, options)) ok++;
      if (files.length > 1) {
        console.log(`${ok} of ${files.length} recipes valid`);
      }
      done(ok === files.length ? 0 : 2);
    });
