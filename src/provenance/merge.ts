/**
 * Merges the provenance files of a sharded run (`provenance.shard-I-of-N.json`) into one
 * record equal to what a single run would have written (apart from times and command line),
 * listing every problem: missing shards, subjects no shard covered, subjects in two shards,
 * shards made from different recipes or manifests.
 */
import type { Provenance, RunStatus, SubjectRecord } from "./types.ts";
import { stringifyStable } from "./stable_json.ts";

/** Result of merging: the combined record and every problem found (empty = clean). */
export interface MergeResult {
  merged: Provenance;
  problems: string[];
}

/** Compares ids by code unit, independent of locale. */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Overall status from the subjects' statuses. */
export function deriveRunStatus(subjects: readonly SubjectRecord[]): RunStatus {
  if (subjects.some((s) => s.status === "interrupted" || s.status === "pending")) {
    return "interrupted";
  }
  return subjects.some((s) => s.status === "failed") ? "failed" : "complete";
}

/**
 * Merges shard records (any order).
 * @throws Error when `shards` is empty
 */
export function mergeProvenance(
  shards: readonly { file: string; provenance: Provenance }[],
  command: string[],
): MergeResult {
  if (shards.length === 0) throw new Error("Cannot merge provenance: no shard files given");
  const problems: string[] = [];
  const sorted = [...shards].sort((a, b) =>
    (a.provenance.shard?.index ?? 0) - (b.provenance.shard?.index ?? 0)
  );
  const first = sorted[0];
  const count = first.provenance.shard?.count ?? 1;
  const same = (a: unknown, b: unknown) => stringifyStable(a) === stringifyStable(b);
  const seenShards = new Set<number>();
  for (const { file, provenance: p } of sorted) {
    if (!p.shard) problems.push(`Cannot merge "${file}": it is not a shard provenance file`);
    else if (p.shard.count !== count) {
      problems.push(`Cannot merge "${file}": shard count ${p.shard.count}, others have ${count}`);
    } else if (seenShards.has(p.shard.index)) {
      problems.push(`Cannot merge "${file}": shard ${p.shard.index} of ${count} given twice`);
    } else seenShards.add(p.shard.index);
    if (p.recipe.sha256 !== first.provenance.recipe.sha256) {
      problems.push(`Cannot merge "${file}": recipe differs from "${first.file}"`);
    } else if (!same(p.recipe.resolved, first.provenance.recipe.resolved)) {
      problems.push(`Cannot merge "${file}": resolved recipe differs from "${first.file}"`);
    }
    if (p.manifest.sha256 !== first.provenance.manifest.sha256) {
      problems.push(`Cannot merge "${file}": manifest differs from "${first.file}"`);
    }
    if (p.seed !== first.provenance.seed) {
      problems.push(
        `Cannot merge "${file}": run seed ${p.seed} differs from ${first.provenance.seed}`,
      );
    }
  }
  for (let i = 1; i <= count; i++) {
    if (!seenShards.has(i)) problems.push(`Shard ${i} of ${count} is missing`);
  }
  // A subject in two files (it moved to another shard when the manifest changed; the shard it
  // left still records its earlier record): the shard it is assigned to now has it.
  const byId = new Map<string, { record: SubjectRecord; file: string; owns: boolean }>();
  for (const { file, provenance: p } of sorted) {
    const owned = new Set(p.shard?.assigned ?? []);
    for (const s of p.subjects) {
      const prev = byId.get(s.id);
      const owns = owned.has(s.id);
      if (!prev || (owns && !prev.owns)) byId.set(s.id, { record: s, file, owns });
      else if (owns === prev.owns) {
        problems.push(`Subject "${s.id}" is in both "${prev.file}" and "${file}"`);
      }
    }
  }
  const all = new Set(sorted.flatMap((s) => s.provenance.shard?.all ?? []));
  const missing = [...all].filter((id) => !byId.has(id)).sort(compareIds);
  for (const id of missing) problems.push(`Subject "${id}" is in no shard`);
  const subjects = [...byId.values()].map((v) => v.record).sort((a, b) => compareIds(a.id, b.id));
  for (const s of subjects) {
    if (s.status !== "done") problems.push(`Subject "${s.id}" is ${s.status}`);
  }
  const times = sorted.map((s) => s.provenance);
  const { runFiles: _, ...head } = first.provenance; // the shard's; the caller writes merged ones
  const merged: Provenance = {
    ...head,
    command,
    shard: null,
    started: times.map((p) => p.started).sort()[0],
    finished: times.map((p) => p.finished).sort().at(-1)!,
    status: missing.length > 0 || seenShards.size < count
      ? "interrupted"
      : deriveRunStatus(subjects),
    subjects,
  };
  return { merged, problems };
}
