/**
 * The dataset fingerprint (`medprep fingerprint` without a recipe), like nnU-Net's
 * `plan_and_preprocess` fingerprint: every subject read once, in parallel read-only workers with
 * progress (fingerprint_worker.ts), then merged on the main thread in id order (so the result
 * does not depend on worker count or timing): per role, shape and spacing distributions
 * (min/median/max per axis), anisotropy (largest / smallest spacing), orientation codes, storage
 * types, pooled intensity statistics over all voxels and over the foreground (volume/
 * pooled_stats.ts: exact for integer-valued data), label values with voxel counts, subjects
 * whose roles' grids differ, and a suggested recipe (fingerprint_suggest.ts).
 */
import { compareIds } from "../provenance/merge.ts";
import { PooledStats } from "../volume/pooled_stats.ts";
import { maxOf, minOf } from "../volume/stats.ts";
import { listenForInterrupt } from "./interrupt.ts";
import type { Job } from "./messages.ts";
import { findLibdeflate } from "../nifti/libdeflate.ts";
import { createProgress, type ProgressMode } from "./progress.ts";
import type { RoleFingerprint, SubjectFingerprint } from "./fingerprint_subject.ts";
import type { FingerprintRequest } from "./fingerprint_worker.ts";

/** min / median / max (numpy `median`: mean of the two middle values for an even count). */
export interface Spread {
  min: number;
  median: number;
  max: number;
}

/** Pooled intensity statistics of one role and voxel set. */
export interface IntensityStats {
  count: number;
  mean: number;
  std: number;
  min: number;
  max: number;
  /** numpy 'linear' percentiles 0.5, 50, 99.5 (nnU-Net's), exact when `exact`. */
  percentile00_5: number;
  percentile50_0: number;
  percentile99_5: number;
  /** True when every value was an integer (exact percentiles). */
  exact: boolean;
}

/** One role over the dataset. */
export interface RoleSummary {
  role: string;
  label: boolean;
  subjects: number;
  /** Per axis x, y, z. */
  shape: [Spread, Spread, Spread];
  spacing: [Spread, Spread, Spread];
  /** Largest spacing / smallest spacing of each subject. */
  anisotropy: Spread & { above3: number };
  /** Orientation code → subjects (nibabel `aff2axcodes`). */
  orientations: Record<string, number>;
  dtypes: Record<string, number>;
  /** Volumes per file (4th dimension) → subjects. */
  frames: Record<string, number>;
  /** Image roles: all voxels, and the foreground (voxels where a label role is nonzero). */
  intensity?: { all: IntensityStats | null; foreground: IntensityStats | null };
  /** Label roles: each value, its voxels and the subjects holding it. */
  labels?: { value: number; voxels: number; subjects: number }[];
}

/** The merged fingerprint. */
export interface DatasetFingerprint {
  subjects: number;
  roles: RoleSummary[];
  /** Subjects whose roles lie on different grids (SPEC §7). */
  mismatchedGrids: { id: string; row: number; problems: string[] }[];
  failed: { id: string; row: number; message: string }[];
  /** Per-subject spacing of the first image role (for the target spacing rule). */
  imageSpacings: [number, number, number][];
  imageShapes: [number, number, number][];
}

/** numpy's median of a non-empty list. */
export function medianOf(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const spreadOf = (values: readonly number[]): Spread => ({
  min: minOf(values),
  median: medianOf(values),
  max: maxOf(values),
});

const countBy = (keys: readonly string[]) => {
  const out: Record<string, number> = {};
  for (const k of [...keys].sort()) out[k] = (out[k] ?? 0) + 1;
  return out;
};

function intensityOf(parts: readonly (PooledStats | undefined)[]): IntensityStats | null {
  const present = parts.filter((p): p is PooledStats => p !== undefined);
  if (present.length === 0) return null;
  const pooled = present.reduce((a, b) => a.merge(b), new PooledStats());
  if (pooled.count === 0) return null;
  const s = pooled.summary();
  const [p005, p50, p995] = pooled.percentiles([0.5, 50, 99.5]);
  return {
    count: s.n,
    mean: s.mean,
    std: s.std,
    min: s.min,
    max: s.max,
    percentile00_5: p005,
    percentile50_0: p50,
    percentile99_5: p995,
    exact: s.exact,
  };
}

function summarizeRole(role: string, records: readonly RoleFingerprint[]): RoleSummary {
  const label = records[0].label;
  const axis = (pick: (r: RoleFingerprint) => readonly number[]) =>
    [0, 1, 2].map((a) => spreadOf(records.map((r) => pick(r)[a]))) as [Spread, Spread, Spread];
  const ratios = records.map((r) => Math.max(...r.spacing) / Math.min(...r.spacing));
  const summary: RoleSummary = {
    role,
    label,
    subjects: records.length,
    shape: axis((r) => r.shape),
    spacing: axis((r) => r.spacing),
    anisotropy: { ...spreadOf(ratios), above3: ratios.filter((x) => x > 3).length },
    orientations: countBy(records.map((r) => r.orientation)),
    dtypes: countBy(records.map((r) => r.dtype)),
    frames: countBy(records.map((r) => String(r.frames))),
  };
  if (label) {
    const voxels = new Map<number, number>(), subjects = new Map<number, number>();
    for (const r of records) {
      const c = r.labelCounts!;
      if (c.kind !== "integer") continue; // a non-integer label map: values not listed
      c.values.forEach((v, i) => {
        voxels.set(v, (voxels.get(v) ?? 0) + c.counts[i]);
        subjects.set(v, (subjects.get(v) ?? 0) + 1);
      });
    }
    summary.labels = [...voxels.keys()].sort((a, b) => a - b)
      .map((value) => ({ value, voxels: voxels.get(value)!, subjects: subjects.get(value)! }));
  } else {
    summary.intensity = {
      all: intensityOf(records.map((r) => r.all && PooledStats.fromJSON(r.all))),
      foreground: intensityOf(
        records.map((r) => r.foreground && PooledStats.fromJSON(r.foreground)),
      ),
    };
  }
  return summary;
}

/** Merges subject fingerprints (in id order, whatever order they came in). */
export function mergeFingerprints(results: readonly SubjectFingerprint[]): DatasetFingerprint {
  const sorted = [...results].sort((a, b) => compareIds(a.id, b.id));
  const ok = sorted.filter((r) => r.error === undefined);
  const byRole = new Map<string, RoleFingerprint[]>();
  for (const r of ok) {
    for (const role of r.roles) byRole.set(role.role, [...(byRole.get(role.role) ?? []), role]);
  }
  const firstImage = [...byRole.keys()].find((role) => !byRole.get(role)![0].label);
  const images = firstImage ? byRole.get(firstImage)! : [];
  return {
    subjects: sorted.length,
    roles: [...byRole].map(([role, records]) => summarizeRole(role, records)),
    mismatchedGrids: ok.filter((r) => r.mismatches.length > 0)
      .map((r) => ({ id: r.id, row: r.row, problems: r.mismatches })),
    failed: sorted.filter((r) => r.error !== undefined)
      .map((r) => ({ id: r.id, row: r.row, message: r.error! })),
    imageSpacings: images.map((r) => r.spacing),
    imageShapes: images.map((r) => r.shape),
  };
}

/** The real path of `p` too (a symlinked folder is read through its target). */
function withRealPath(p: string): string[] {
  try {
    const real = Deno.realPathSync(p);
    return real === p ? [p] : [p, real];
  } catch {
    return [p]; // missing: the worker's read reports it
  }
}

/**
 * Read-only permissions of a fingerprint worker: the jobs' inputs (and pair halves), and FFI for
 * the system libdeflate file only when one is used (issue 15.1; nifti/libdeflate.ts).
 */
function readOnly(jobs: readonly Job[], libdeflate: string | null): Deno.PermissionOptionsObject {
  const read = jobs.flatMap((j) =>
    Object.values(j.paths).filter(Boolean).flatMap((p) => j.pairs?.[p] ? [p, j.pairs[p]] : [p])
  ).flatMap(withRealPath);
  const ffi = libdeflate ? [libdeflate] : false;
  return { read, write: false, net: false, env: false, run: false, sys: false, ffi };
}

/**
 * Fingerprints every job in `workers` parallel workers with progress; a subject that cannot be
 * read is listed as failed (the others go on). Resolves `interrupted: true` on SIGINT/SIGTERM.
 */
export async function fingerprintJobs(
  jobs: readonly Job[],
  options: { labels: readonly string[]; workers: number; progress: ProgressMode },
): Promise<{ results: SubjectFingerprint[]; interrupted: boolean }> {
  const url = new URL("./fingerprint_worker.ts", import.meta.url);
  const libdeflate = findLibdeflate(); // a bad MEDPREP_INFLATE: UsageError (exit 2)
  const permissions = readOnly(jobs, libdeflate);
  const progress = createProgress(jobs.length, options.progress);
  const queue = [...jobs];
  let taken = 0; // queue[taken] is next: O(1) per job (Array.shift of 100,000 jobs took 10 s)
  const results: SubjectFingerprint[] = [];
  const workers = new Set<Worker>();
  let interrupted = false;
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => finish = resolve);
  const settle = () => {
    if (workers.size === 0) finish();
  };
  const record = (r: SubjectFingerprint) => {
    results.push(r);
    const failure = r.error === undefined
      ? undefined
      : `medprep: subject "${r.id}" (row ${r.row}) could not be read: ${r.error}`;
    progress.tick(r.error === undefined, failure);
  };
  const start = () => {
    const worker = new Worker(url, { type: "module", deno: { permissions } });
    workers.add(worker);
    let current: Job | undefined;
    const next = () => {
      current = interrupted || taken >= queue.length ? undefined : queue[taken++];
      if (!current) {
        worker.terminate();
        workers.delete(worker);
        settle();
        return;
      }
      const request: FingerprintRequest = {
        job: current,
        labels: [...options.labels],
        ...(libdeflate ? { libdeflate } : {}),
      };
      worker.postMessage(request);
    };
    worker.onmessage = (e: MessageEvent<SubjectFingerprint>) => {
      record(e.data);
      next();
    };
    worker.onerror = (e) => {
      e.preventDefault();
      worker.terminate();
      workers.delete(worker);
      if (current) {
        const message = `Worker crashed: ${e.message ?? "uncaught error"}`;
        record({ id: current.id, row: current.row, roles: [], mismatches: [], error: message });
      }
      if (!interrupted && taken < queue.length) start();
      settle();
    };
    next();
  };
  const release = listenForInterrupt((signal) => {
    interrupted = true;
    progress.note(`medprep: ${signal}: stopping the fingerprint`);
    for (const w of workers) w.terminate();
    workers.clear();
    settle();
  });
  try {
    const n = Math.max(1, Math.min(options.workers, jobs.length));
    if (jobs.length === 0) finish();
    for (let i = 0; i < n && jobs.length > 0; i++) start();
    await finished;
  } finally {
    progress.stop();
    release();
  }
  return { results, interrupted };
}
