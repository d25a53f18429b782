/**
 * `--resume`: which subjects of earlier runs (provenance file and journal, see
 * previous_run.ts) can be kept. A subject is kept only when its last record says it finished,
 * with the same recipe (sha256 and resolved, seed included) and the same medprep (version and
 * sha256 of its sources), the same input files (sha256 per role, both halves of a
 * `.hdr`/`.img` pair), and every recorded output still a regular file of the recorded size and
 * sha256. Every other finished subject is rebuilt with one reason.
 */
import { sha256File } from "../nifti/hash.ts";
import type { SubjectRecord } from "../provenance/types.ts";
import type { Job } from "./messages.ts";
import type { PlannedOutput } from "./preflight.ts";
import { type PreviousRun, type RunHeader, sameRecipe } from "./previous_run.ts";

/** Why a finished subject is rebuilt (printed by `run --resume`, one per subject). */
export type RebuildReason =
  | "input changed"
  | "recipe changed"
  | "medprep changed"
  | "output missing"
  | "output changed";

/** The decision of `--resume`: records kept (by id) and the finished subjects rebuilt. */
export interface ResumePlan {
  reused: Map<string, SubjectRecord>;
  rebuilt: { id: string; reason: RebuildReason }[];
}

/** Whether two runs used the same medprep code (version and source sha256, both known). */
export function sameMedprep(a: RunHeader, b: RunHeader): boolean {
  const sa = a.tool?.source?.sha256, sb = b.tool?.source?.sha256;
  return a.tool?.version === b.tool?.version && typeof sa === "string" && sa === sb;
}

async function sha256OrNull(path: string): Promise<string | null> {
  try {
    return await sha256File(path);
  } catch {
    return null;
  }
}

async function inputsChanged(job: Job, record: SubjectRecord): Promise<boolean> {
  const roles = Object.keys(job.paths).filter((r) => job.paths[r]);
  const recorded = new Map(record.inputs.map((i) => [i.role, i]));
  if (![...recorded.keys()].every((r) => job.paths[r])) return true;
  for (const role of roles) {
    const want = recorded.get(role);
    if (want === undefined) continue; // a role the recipe does not load
    if ((await sha256OrNull(job.paths[role])) !== want.sha256) return true;
    const partner = job.pairs?.[job.paths[role]] ?? null;
    if (partner !== (want.pairedFile?.path ?? null)) return true;
    if (partner && (await sha256OrNull(partner)) !== want.pairedFile!.sha256) return true;
  }
  // Files steps read besides the inputs (a `reference` grid).
  for (const f of record.files ?? []) {
    if ((await sha256OrNull(f.path)) !== f.sha256) return true;
  }
  return false;
}

/** Missing / changed without hashing (lstat: a symlink is not the file medprep wrote). */
async function outputsPresent(
  record: SubjectRecord,
  outDir: string,
): Promise<RebuildReason | null> {
  for (const o of record.outputs) {
    let st: Deno.FileInfo;
    try {
      st = await Deno.lstat(`${outDir}/${o.path}`);
    } catch {
      return "output missing";
    }
    if (!st.isFile || (typeof o.size === "number" && st.size !== o.size)) return "output changed";
  }
  return null;
}

async function outputsIntact(record: SubjectRecord, outDir: string): Promise<boolean> {
  for (const o of record.outputs) {
    if ((await sha256OrNull(`${outDir}/${o.path}`)) !== o.sha256) return false;
  }
  return true;
}

/** Why the subject of `record` must be rebuilt, or null when it can be kept. */
export async function findRebuildReason(
  job: Job,
  previous: { record: SubjectRecord; header: RunHeader },
  current: { header: RunHeader; outDir: string; plannedPaths: readonly string[] },
): Promise<RebuildReason | null> {
  const { record, header } = previous;
  if (!sameRecipe(header, current.header)) return "recipe changed";
  if (!sameMedprep(header, current.header)) return "medprep changed";
  const want = [...current.plannedPaths].sort().join("\n");
  const have = record.outputs.map((o) => o.path).sort().join("\n");
  if (want !== have) return "input changed"; // other roles in the manifest row
  const missing = await outputsPresent(record, current.outDir);
  if (missing === "output missing") return missing;
  if (await inputsChanged(job, record)) return "input changed";
  if (missing) return missing;
  return (await outputsIntact(record, current.outDir)) ? null : "output changed";
}

/** Decides, for each job, whether its last finished record can be kept (module comment). */
export async function findReusable(
  previous: PreviousRun,
  jobs: readonly Job[],
  planned: readonly PlannedOutput[],
  current: { header: RunHeader; outDir: string },
): Promise<ResumePlan> {
  // Later sources (the journal) are newer than earlier ones (the provenance file).
  const last = new Map<string, { record: SubjectRecord; header: RunHeader }>();
  for (const source of previous.sources) {
    for (const record of source.records) last.set(record.id, { record, header: source.header });
  }
  const plannedById = new Map<string, string[]>();
  for (const o of planned) plannedById.set(o.id, [...(plannedById.get(o.id) ?? []), o.path]);
  const plan: ResumePlan = { reused: new Map(), rebuilt: [] };
  for (const job of jobs) {
    const entry = last.get(job.id);
    if (!entry || entry.record.status !== "done") continue; // never finished: just runs
    const reason = await findRebuildReason(job, entry, {
      ...current,
      plannedPaths: plannedById.get(job.id) ?? [],
    });
    if (reason) plan.rebuilt.push({ id: job.id, reason });
    else plan.reused.set(job.id, { ...entry.record, row: job.row });
  }
  return plan;
}
