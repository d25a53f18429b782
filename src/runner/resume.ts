/**
 * `--resume`: which subjects of a previous run can be kept. A subject is reused when the
 * previous provenance says it finished, its recorded input sha256s (per role, both halves of a
 * `.hdr`/`.img` pair) equal the
 * current files', the resolved recipe (seed included) and tool version are unchanged, and
 * every output it recorded still exists under the same name; anything else is rebuilt.
 */
import { sha256File } from "../nifti/hash.ts";
import { pairPartner } from "../nifti/nifti_paths.ts";
import type { Provenance, ResolvedRecipe, SubjectRecord } from "../provenance/types.ts";
import { stringifyStable } from "../provenance/stable_json.ts";
import type { Job } from "./messages.ts";
import type { PlannedOutput } from "./preflight.ts";

/** The previous provenance at `path`, or null when there is none or it cannot be parsed. */
export async function readPreviousProvenance(path: string): Promise<Provenance | null> {
  try {
    const value = JSON.parse(await Deno.readTextFile(path));
    return value && Array.isArray(value.subjects) ? value as Provenance : null;
  } catch {
    return null;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

async function inputsMatch(job: Job, record: SubjectRecord): Promise<boolean> {
  const roles = Object.keys(job.paths).filter((r) => job.paths[r]);
  const recorded = new Map(record.inputs.map((i) => [i.role, i]));
  if (![...recorded.keys()].every((r) => job.paths[r])) return false;
  for (const role of roles) {
    const want = recorded.get(role);
    if (want === undefined) continue; // a role the recipe does not load
    try {
      if ((await sha256File(job.paths[role])) !== want.sha256) return false;
      const partner = pairPartner(job.paths[role]);
      if (partner !== (want.pairedFile?.path ?? null)) return false;
      if (partner && (await sha256File(partner)) !== want.pairedFile!.sha256) return false;
    } catch {
      return false;
    }
  }
  return true;
}

/** Records of the subjects that need no rebuild, by id. */
export async function findReusable(
  previous: Provenance | null,
  jobs: readonly Job[],
  planned: readonly PlannedOutput[],
  current: { recipe: ResolvedRecipe; version: string; outDir: string },
): Promise<Map<string, SubjectRecord>> {
  const reusable = new Map<string, SubjectRecord>();
  if (!previous || previous.tool?.version !== current.version) return reusable;
  if (stringifyStable(previous.recipe?.resolved) !== stringifyStable(current.recipe)) {
    return reusable;
  }
  const byId = new Map(previous.subjects.map((s) => [s.id, s]));
  const plannedById = new Map<string, string[]>();
  for (const o of planned) plannedById.set(o.id, [...(plannedById.get(o.id) ?? []), o.path]);
  for (const job of jobs) {
    const record = byId.get(job.id);
    if (!record || record.status !== "done") continue;
    const want = (plannedById.get(job.id) ?? []).slice().sort().join("\n");
    const have = record.outputs.map((o) => o.path).sort().join("\n");
    if (want !== have) continue;
    const present = await Promise.all(
      record.outputs.map((o) => exists(`${current.outDir}/${o.path}`)),
    );
    if (!present.every(Boolean)) continue;
    if (!(await inputsMatch(job, record))) continue;
    reusable.set(job.id, { ...record, row: job.row });
  }
  return reusable;
}
