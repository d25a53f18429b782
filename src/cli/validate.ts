import { Command } from "commander";
import { ManifestError, RecipeError } from "../errors.ts";
import { readManifest } from "../manifest/manifest.ts";
import { validateManifestForRecipe } from "../recipe/manifest_check.ts";
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
      if (options.manifest !== undefined && options.input !== undefined) {
        console.error("Cannot use both --manifest and --input: give one");
        done(2);
        return;
      }
      try {
        const { recipe } = await readRecipe(file);
        const source = options.manifest ?? options.input;
        let extra = "";
        if (source !== undefined) {
          const manifest = await readManifest(source, {
            glob: options.manifest === undefined && options.input !== undefined,
          });
          validateManifestForRecipe(manifest, recipe);
          extra = `, ${manifest.rows.length} subject${
            manifest.rows.length === 1 ? "" : "s"
          } in ${source}`;
        }
        const n = recipe.steps.length;
        console.log(`${file}: ok (${n} step${n === 1 ? "" : "s"}${extra})`);
        done(0);
      } catch (e) {
        if (e instanceof RecipeError || e instanceof ManifestError) {
          printIssues(e.issues, e instanceof RecipeError ? file : "manifest");
          done(2);
          return;
        }
        throw e;
      }
    });
