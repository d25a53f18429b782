/**
 * The run-level part of provenance (SPEC §9): tool (with medprep's git commit when known and
 * the sha256 of its sources), Deno, recipe (path, sha256, git state,
 * resolved form), run seed, manifest (path or glob, sha256), command line and shard.
 */
import { sha256Bytes } from "../nifti/hash.ts";
import { TOOL_NAME, VERSION } from "../version.ts";
import type { Recipe } from "../recipe/recipe.ts";
import { readGitInfo, readRepoGitInfo } from "./git.ts";
import { medprepRoot, readMedprepSource } from "./source_hash.ts";
import type { Provenance, ResolvedRecipe, ShardRecord } from "./types.ts";

/** Provenance without the subjects, times and status. */
export type ProvenanceHeader = Omit<Provenance, "subjects" | "started" | "finished" | "status">;

/** The recipe as it runs: defaults filled in, the effective run seed, no positions. */
export function resolveRecipe(recipe: Recipe, seed?: number): ResolvedRecipe {
  return {
    version: recipe.version,
    name: recipe.name,
    seed: seed ?? recipe.seed,
    steps: recipe.steps.map((s) => ({ step: s.step, params: s.params })),
  };
}

/** Builds the header; reads the manifest file to hash it and asks git about the recipe. */
export async function createProvenanceHeader(input: {
  recipePath: string;
  recipeText: string;
  resolved: ResolvedRecipe;
  manifest: { source: string; kind: string };
  command: string[];
  shard: ShardRecord | null;
}): Promise<ProvenanceHeader> {
  const glob = input.manifest.kind === "glob";
  const root = medprepRoot();
  // Independent: git processes and the source hash run at once.
  const [toolGit, source, recipeGit] = await Promise.all([
    root ? readRepoGitInfo(root, ["src", "deno.lock"]) : null,
    readMedprepSource(),
    readGitInfo(input.recipePath),
  ]);
  return {
    tool: { name: TOOL_NAME, version: VERSION, git: toolGit, source },
    deno: { ...Deno.version },
    recipe: {
      path: input.recipePath,
      sha256: sha256Bytes(input.recipeText),
      git: recipeGit,
      resolved: input.resolved,
    },
    seed: input.resolved.seed,
    manifest: {
      path: glob ? null : input.manifest.source,
      glob: glob ? input.manifest.source : null,
      sha256: glob ? null : sha256Bytes(await Deno.readFile(input.manifest.source)),
      kind: input.manifest.kind,
    },
    command: input.command,
    shard: input.shard,
  };
}
