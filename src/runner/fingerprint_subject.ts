/**
 * One subject's part of the dataset fingerprint (`medprep fingerprint` without a recipe): per
 * role its grid (shape, spacing, orientation codes), storage type, value digests over all
 * voxels and over the foreground (voxels where a label role on the same grid is nonzero), label
 * values with voxel counts, and which roles' grids disagree (SPEC §7). Runs inside a worker;
 * the result is plain data, merged on the main thread (fingerprint_dataset.ts).
 */
import { readNiftiHashedSync } from "../nifti/nifti_read.ts";
import { columnNorms, deriveOrientation } from "../volume/affine.ts";
import { gridMismatch } from "../volume/grid_match.ts";
import { PooledStats, type PooledStatsJson } from "../volume/pooled_stats.ts";
import { frameLength, numericData, type Volume } from "../volume/volume.ts";
import type { Job } from "./messages.ts";

/** What one role of one subject contributes. */
export interface RoleFingerprint {
  role: string;
  label: boolean;
  shape: [number, number, number];
  frames: number;
  spacing: [number, number, number];
  /** nibabel's `aff2axcodes`, e.g. "RAS". */
  orientation: string;
  dtype: string;
  /** Image roles: every voxel (volume/pooled_stats.ts, mergeable). */
  all?: PooledStatsJson;
  /** Image roles with a label role on their grid: voxels where a label is nonzero. */
  foreground?: PooledStatsJson;
  /** Label roles: the label values and their voxel counts. */
  labelCounts?: PooledStatsJson;
}

/** One subject's fingerprint, or the reason it could not be read. */
export interface SubjectFingerprint {
  id: string;
  row: number;
  roles: RoleFingerprint[];
  /** `label vs image: shapes differ (…)` for each role whose grid differs from the first's. */
  mismatches: string[];
  error?: string;
}

/** The foreground of `volumes` (label roles, frame 0): union of nonzero voxels; undefined when none. */
function foregroundOf(labels: Volume[]): Uint8Array | undefined {
  if (labels.length === 0) return undefined;
  const n = labels[0].shape[0] * labels[0].shape[1] * labels[0].shape[2];
  const mask = new Uint8Array(n);
  for (const v of labels) {
    for (let i = 0; i < n; i++) if (Number(v.data[i]) * v.slope + v.inter !== 0) mask[i] = 1;
  }
  return mask;
}

/** Pooled statistics of a volume's real values (every frame), within `mask` when given. */
function poolVolume(v: Volume, part: string, mask?: Uint8Array): PooledStatsJson {
  const stats = new PooledStats();
  const data = numericData(v), n = frameLength(v);
  for (let t = 0; t < v.frames; t++) {
    stats.add(data.subarray(t * n, (t + 1) * n), {
      slope: v.slope,
      inter: v.inter,
      part: `${part}/${t}`,
      ...(mask ? { mask: { where: mask } } : {}),
    });
  }
  return stats.toJSON();
}

/** Reads a subject's roles and fingerprints them (see the module comment). */
export function fingerprintSubject(job: Job, labels: readonly string[]): SubjectFingerprint {
  const roles = Object.keys(job.paths).filter((r) => job.paths[r]);
  const read = new Map<string, Volume>();
  try {
    // Labels first: the foreground mask is needed while the images are digested.
    for (const role of [...roles].sort((a, b) => +labels.includes(b) - +labels.includes(a))) {
      const path = job.paths[role];
      read.set(role, readNiftiHashedSync(path, { pairedWith: job.pairs?.[path] }).image.volume);
    }
  } catch (e) {
    return {
      id: job.id,
      row: job.row,
      roles: [],
      mismatches: [],
      error: e instanceof Error ? e.message : String(e),
    };
  }
  const first = read.get(roles[0])!;
  const mismatches: string[] = [];
  for (const role of roles.slice(1)) {
    const why = gridMismatch(first, read.get(role)!);
    if (why) mismatches.push(`${role} vs ${roles[0]}: ${why}`);
  }
  const out: RoleFingerprint[] = [];
  for (const role of roles) {
    const v = read.get(role)!;
    const isLabel = labels.includes(role);
    const record: RoleFingerprint = {
      role,
      label: isLabel,
      shape: [v.shape[0], v.shape[1], v.shape[2]],
      frames: v.frames,
      spacing: columnNorms(v.affine),
      orientation: deriveOrientation(v.affine),
      dtype: v.dtype,
    };
    if (isLabel) {
      record.labelCounts = poolVolume(v, `${job.id}/${role}`);
    } else {
      record.all = poolVolume(v, `${job.id}/${role}`);
      const sameGrid = roles.filter((r) => labels.includes(r) && !gridMismatch(v, read.get(r)!));
      const mask = foregroundOf(sameGrid.map((r) => read.get(r)!));
      if (mask) record.foreground = poolVolume(v, `${job.id}/${role}`, mask);
    }
    out.push(record);
  }
  return { id: job.id, row: job.row, roles: out, mismatches };
}
