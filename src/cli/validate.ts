import { Command } from "commander";
import { IssuesError, ManifestError, RecipeError, UsageError } from "../errors.ts";
import { readManifest } from "../manifest/manifest.ts";
import { bindManifest } from "../recipe/bind_manifest.ts";
import { readRecipe } from "../recipe/validate.ts";
import type { CommandFactory } from "./command.ts";
import { printIssues } from "./report.ts";

/**
 * `validate <recipe.yaml> [--manifest F | --input GLOB]`: checks a recipe (and optionally a
 * manifest against it) without reading any volume; exit 0 when valid, 2 otherwise.
 * Permissions: --allow-read.
 */
export const createValidateCommand: CommandFactory = (done) =>
  new Command("validate")
    .description("Check a recipe completely (every problem at once) without running it")
    .argument("<recipe>", "recipe YAML file")
    .option("--manifest <file>", "also check a manifest (CSV, TSV, JSON, JSONL, dataset.json)")
    .option("--input <glob>", "also check the files matching a glob (id = file stem)")
    .action(async (file: string, options: { manifest?: string; input?: string }) => {
      try {
        if (options.manifest !== undefined && options.input !== undefined) {
          throw new UsageError([{
            path: "--manifest",
            message: "Cannot use both --manifest and --input: give one",
          }]);
        }
        const { plan } = await readRecipe(file);
        const source = options.manifest ?? options.input;
        let extra = "";
        if (source !== undefined) {
          const manifest = await readManifest(source, {
            glob: options.manifest === undefined && options.input !== undefined,
          });
          const bound = bindManifest(plan, manifest);
          for (const w of bound.warnings) console.error(`medprep: warning: ${w}`);
          extra = `, ${manifest.rows.length} subject${
            manifest.rows.length === 1 ? "" : "s"
          } in ${source}`;
        }
        const n = plan.steps.length;
        console.log(`${file}: ok (${n} step${n === 1 ? "" : "s"}${extra})`);
        done(0);
      } catch (e) {
        if (e instanceof IssuesError) {
          const subject = e instanceof RecipeError
            ? file
            : e instanceof ManifestError
            ? "manifest"
            : "arguments";
          printIssues(e.issues, subject);
          done(2);
          return;
        }
        throw e;
      }
    });
