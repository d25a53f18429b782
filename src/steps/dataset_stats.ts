/**
 * Dataset statistics for steps with `over: dataset` / `spacing: median` (issue 13): what a step
 * needs (`DatasetNeed`), one subject's contribution as the values reach that step (collected in
 * the workers of the statistics pass), the mergeable accumulator over subjects (exact; shards
 * merge bit for bit) and the finalized statistics the step applies (`DatasetStats`).
 */
import { PooledStats, type PooledStatsJson } from "../volume/pooled_stats.ts";
import { frameNumbers } from "../volume/stats.ts";
import { deriveSpacing, frameLength, type Volume } from "../volume/volume.ts";

/** The parts of a subject and its items statistics read (step.ts's Subject and Item fit). */
interface Item {
  readonly role: string;
  readonly label: boolean;
  readonly volume: Volume;
}
interface Subject {
  readonly id: string;
  readonly items: readonly Item[];
}

/** Percentiles every pooled value statistic reports (besides the ones a step asks for). */
export const REPORTED_PERCENTILES: readonly number[] = [
  0.5,
  1,
  5,
  10,
  25,
  50,
  75,
  90,
  95,
  99,
  99.5,
];

/** What a step needs from the whole dataset, from its params alone. */
export type DatasetNeed =
  | {
    kind: "values";
    /** `all`, `nonzero` or a role whose nonzero voxels are counted (e.g. `label`). */
    mask: string;
    /** Pooled percentiles the step applies. */
    percentiles: readonly number[];
    /** Per-subject percentiles to collect (histogram standardization landmarks). */
    landmarks?: readonly number[];
  }
  | {
    kind: "spacing";
    /** `nnunet`: nnU-Net's anisotropy rule (see `targetSpacing`). */
    anisotropy: "none" | "nnunet";
  };

/** One subject's contribution to a step's statistics (plain data: crosses worker boundaries). */
export interface DatasetContribution {
  /** Image role → one pooled accumulator per frame. */
  values?: Record<string, PooledStatsJson[]>;
  /** Image role → per frame, this subject's `landmarks` percentiles. */
  landmarks?: Record<string, number[][]>;
  /** Spacing and shape of the subject's grid (the first role; roles share one grid). */
  spacing?: number[];
  shape?: number[];
}

/** Finalized pooled statistics of one frame (channel) of one role. */
export interface FrameDatasetStats {
  /** Voxels pooled (in the mask, not NaN). */
  n: number;
  /** Smallest pooled value (null when none). */
  min: number | null;
  /** Largest pooled value (null when none). */
  max: number | null;
  /** Mean of the pooled values (exact sums for integer values, rounded once). */
  mean: number | null;
  /** Population standard deviation (ddof 0) of the pooled values. */
  std: number | null;
  /** True when every value was an integer (percentiles exact, else within 1e-4 of the rank). */
  exact: boolean;
  /** Percentile (as written, e.g. "99.5") → value. */
  percentiles: Record<string, number | null>;
  /** Histogram standardization: the learned landmarks (TorchIO's average mapping). */
  landmarks?: number[];
}

/** The statistics a dataset step applies (recorded in provenance and dataset-stats.json). */
export interface DatasetStats {
  /** Subjects whose values were pooled. */
  subjects: number;
  /** Voxels counted: all, nonzero or the role whose nonzero voxels count. */
  mask?: string;
  /** Image role → per frame. */
  roles?: Record<string, FrameDatasetStats[]>;
  /** `spacing: median`: the subjects' spacings and the target applied. */
  spacing?: {
    /** Per-axis median of the subjects' spacings (numpy median). */
    median: number[];
    /** The spacing applied: the median, or the median with nnU-Net's anisotropy rule. */
    target: number[];
    rule: "median" | "nnunet-anisotropy";
    /** True when the anisotropy rule changed the coarse axis. */
    anisotropic: boolean;
  };
}

const NULLABLE = (x: number) => (Number.isFinite(x) ? x : null);

/** Nonzero voxels of a role's first frame, as a mask for another role's frames. */
function roleMask(subject: Subject, role: string, item: Item): ArrayLike<number> {
  const m = subject.items.find((it) => it.role === role);
  if (!m) {
    throw new Error(
      `Cannot take statistics within mask role "${role}": subject "${subject.id}" has no such role loaded`,
    );
  }
  const a = m.volume, b = item.volume;
  if (a.shape.some((n, i) => n !== b.shape[i])) {
    throw new Error(
      `Cannot use role "${role}" (${a.shape.join("x")}) as a mask for "${item.role}" (${
        b.shape.join("x")
      }): grids differ`,
    );
  }
  const src = frameNumbers(a, 0);
  // Unscaled: real ≠ 0 exactly where the stored value ≠ 0 (no copy).
  if (a.slope === 1 && a.inter === 0) return src;
  const out = new Uint8Array(frameLength(a));
  for (let i = 0; i < out.length; i++) out[i] = src[i] * a.slope + a.inter !== 0 ? 1 : 0;
  return out;
}

/** The mask of `need` for `item`: none, nonzero, or a role's nonzero voxels. */
function poolMask(subject: Subject, mask: string, item: Item) {
  if (mask === "all") return undefined;
  if (mask === "nonzero") return { nonzero: true };
  return { where: roleMask(subject, mask, item) };
}

/** numpy 'linear' percentiles of an ascending array (NaN when empty). */
export function sortedPercentiles(sorted: Float64Array, qs: readonly number[]): number[] {
  const n = sorted.length;
  return qs.map((q) => {
    if (n === 0) return NaN;
    const virtual = (n - 1) * (q / 100);
    const prev = virtual >= n - 1 ? n - 1 : Math.max(0, Math.floor(virtual));
    const next = virtual >= n - 1 ? n - 1 : prev + 1;
    const gamma = virtual - Math.floor(virtual);
    const a = sorted[prev], b = sorted[next];
    if (prev === next) return a;
    const diff = b - a;
    return gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma;
  });
}

/** The real values of one frame inside a mask, ascending (NaN dropped). */
export function maskedSorted(
  volume: Volume,
  frame: number,
  mask: { nonzero?: boolean; where?: ArrayLike<number> } | undefined,
  float32 = false,
): Float64Array {
  const src = frameNumbers(volume, frame);
  const { slope, inter } = volume;
  const out = new Float64Array(src.length);
  let n = 0;
  for (let i = 0; i < src.length; i++) {
    if (mask?.where && mask.where[i] === 0) continue;
    let v = src[i] * slope + inter;
    if (float32) v = Math.fround(v);
    if (v !== v || (mask?.nonzero && v === 0)) continue;
    out[n++] = v;
  }
  return out.subarray(0, n).sort();
}

/** Mask of a step's need for one item (exported for the steps applying per-subject landmarks). */
export function maskFor(subject: Subject, mask: string, item: Item) {
  return poolMask(subject, mask, item);
}

/** What one subject contributes to `need`, from its volumes as they reach the step. */
export function collectContribution(subject: Subject, need: DatasetNeed): DatasetContribution {
  if (need.kind === "spacing") {
    const v = subject.items[0].volume;
    return { spacing: deriveSpacing(v), shape: [...v.shape] };
  }
  const values: Record<string, PooledStatsJson[]> = {};
  const landmarks: Record<string, number[][]> = {};
  for (const item of subject.items) {
    if (item.label) continue;
    const mask = poolMask(subject, need.mask, item);
    const frames: PooledStatsJson[] = [];
    const marks: number[][] = [];
    for (let t = 0; t < item.volume.frames; t++) {
      const s = new PooledStats();
      s.add(frameNumbers(item.volume, t), {
        slope: item.volume.slope,
        inter: item.volume.inter,
        mask,
        part: subject.id,
      });
      frames.push(s.toJSON());
      if (need.landmarks) {
        // TorchIO casts to float32 before np.percentile.
        marks.push(sortedPercentiles(maskedSorted(item.volume, t, mask, true), need.landmarks));
      }
    }
    values[item.role] = frames;
    if (need.landmarks) landmarks[item.role] = marks;
  }
  return need.landmarks ? { values, landmarks } : { values };
}

/** The JSON form of a `DatasetAccumulator` (a shard's partial statistics of one step). */
export interface DatasetPartialJson {
  subjects: string[];
  values: Record<string, PooledStatsJson[]>;
  landmarks: Record<string, Record<string, number[][]>>;
  spacings: Record<string, { spacing: number[]; shape: number[] }>;
}

const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Mergeable statistics of one step over subjects (exact: any sharding gives the same bits). */
export class DatasetAccumulator {
  readonly subjects = new Set<string>();
  readonly values = new Map<string, PooledStats[]>();
  readonly landmarks = new Map<string, Record<string, number[][]>>();
  readonly spacings = new Map<string, { spacing: number[]; shape: number[] }>();

  /**
   * Adds one subject's contribution.
   * @throws Error when the subject was already counted
   */
  add(id: string, c: DatasetContribution): void {
    if (this.subjects.has(id)) throw new Error(`Cannot count subject "${id}" twice`);
    this.subjects.add(id);
    for (const [role, frames] of Object.entries(c.values ?? {})) {
      const have = this.values.get(role) ?? [];
      frames.forEach((f, t) => {
        have[t] = (have[t] ?? new PooledStats()).merge(PooledStats.fromJSON(f));
      });
      this.values.set(role, have);
    }
    if (c.landmarks) this.landmarks.set(id, c.landmarks);
    if (c.spacing && c.shape) this.spacings.set(id, { spacing: c.spacing, shape: c.shape });
  }

  /** Adds another accumulator (disjoint subjects). */
  merge(other: DatasetAccumulator): this {
    for (const id of other.subjects) {
      if (this.subjects.has(id)) throw new Error(`Cannot merge subject "${id}" twice`);
      this.subjects.add(id);
    }
    for (const [role, frames] of other.values) {
      const have = this.values.get(role) ?? [];
      frames.forEach((f, t) => {
        have[t] = (have[t] ?? new PooledStats()).merge(f);
      });
      this.values.set(role, have);
    }
    for (const [id, l] of other.landmarks) this.landmarks.set(id, l);
    for (const [id, s] of other.spacings) this.spacings.set(id, s);
    return this;
  }

  /** Canonical JSON (sorted ids and roles). */
  toJSON(): DatasetPartialJson {
    const ids = [...this.subjects].sort(byCodeUnit);
    const values: Record<string, PooledStatsJson[]> = {};
    for (const role of [...this.values.keys()].sort(byCodeUnit)) {
      values[role] = this.values.get(role)!.map((s) => s.toJSON());
    }
    const landmarks: Record<string, Record<string, number[][]>> = {};
    const spacings: Record<string, { spacing: number[]; shape: number[] }> = {};
    for (const id of ids) {
      if (this.landmarks.has(id)) landmarks[id] = this.landmarks.get(id)!;
      if (this.spacings.has(id)) spacings[id] = this.spacings.get(id)!;
    }
    return { subjects: ids, values, landmarks, spacings };
  }

  /** Rebuilds an accumulator from its JSON form. */
  static fromJSON(json: DatasetPartialJson): DatasetAccumulator {
    const out = new DatasetAccumulator();
    for (const id of json.subjects) out.subjects.add(id);
    for (const [role, frames] of Object.entries(json.values)) {
      out.values.set(role, frames.map((f) => PooledStats.fromJSON(f)));
    }
    for (const [id, l] of Object.entries(json.landmarks)) out.landmarks.set(id, l);
    for (const [id, s] of Object.entries(json.spacings)) out.spacings.set(id, s);
    return out;
  }

  /** The statistics a step with `need` applies. */
  finalize(need: DatasetNeed): DatasetStats {
    const ids = [...this.subjects].sort(byCodeUnit);
    if (need.kind === "spacing") {
      const spacings = ids.flatMap((id) => this.spacings.get(id) ?? []);
      return { subjects: ids.length, spacing: targetSpacing(spacings, need.anisotropy) };
    }
    const qs = [...new Set([...REPORTED_PERCENTILES, ...need.percentiles])].sort((a, b) => a - b);
    const roles: Record<string, FrameDatasetStats[]> = {};
    for (const role of [...this.values.keys()].sort(byCodeUnit)) {
      roles[role] = this.values.get(role)!.map((s, t) => {
        const sum = s.summary();
        const ps = s.percentiles(qs);
        const out: FrameDatasetStats = {
          n: sum.n,
          min: NULLABLE(sum.min),
          max: NULLABLE(sum.max),
          mean: NULLABLE(sum.mean),
          std: NULLABLE(sum.std),
          exact: sum.exact,
          percentiles: Object.fromEntries(qs.map((q, i) => [String(q), NULLABLE(ps[i])])),
        };
        if (need.landmarks) {
          const db = ids.flatMap((id) => {
            const row = this.landmarks.get(id)?.[role]?.[t];
            return row ? [row] : [];
          });
          out.landmarks = averageMapping(db);
        }
        return out;
      });
    }
    return { subjects: ids.length, mask: need.mask, roles };
  }
}

/** np.nan_to_num: NaN → 0, ±Inf → ±largest float64. */
const nanToNum = (x: number) =>
  Number.isNaN(x) ? 0 : x === Infinity ? Number.MAX_VALUE : x === -Infinity ? -Number.MAX_VALUE : x;

/** Standard range of histogram standardization landmarks (TorchIO STANDARD_RANGE). */
export const STANDARD_RANGE: readonly [number, number] = [0, 100];

/**
 * TorchIO's `_get_average_mapping`: per subject a linear map of its cutoff percentiles onto
 * STANDARD_RANGE, then the mean of each landmark mapped (subjects in id order).
 */
export function averageMapping(db: readonly number[][]): number[] {
  if (db.length === 0) return [];
  const [s1, s2] = STANDARD_RANGE;
  const last = db[0].length - 1;
  const slopes = db.map((row) => nanToNum((s2 - s1) / (row[last] - row[0])));
  let isum = 0;
  db.forEach((row, i) => (isum += s1 - slopes[i] * row[0]));
  const intercept = isum / db.length;
  return db[0].map((_, j) => {
    let dot = 0;
    db.forEach((row, i) => (dot += slopes[i] * row[j]));
    return dot / db.length + intercept;
  });
}

/** numpy median / percentile ('linear') of plain numbers. */
function percentileOf(values: readonly number[], q: number): number {
  return sortedPercentiles(Float64Array.from(values).sort(), [q])[0];
}

/**
 * The target spacing: the per-axis median of the subjects' spacings; with `nnunet`, nnU-Net's
 * anisotropy rule (`determine_fullres_target_spacing`, threshold 3): when the coarsest median
 * axis is > 3× the finest other axis and its median size × 3 is < the smallest other size, that
 * axis takes the 10th percentile of its spacings, raised to just above (+1e-5) the largest other
 * spacing when below it. Shapes are those reaching the step (nnU-Net uses shapes after its crop).
 */
export function targetSpacing(
  subjects: readonly { spacing: number[]; shape: number[] }[],
  anisotropy: "none" | "nnunet",
): NonNullable<DatasetStats["spacing"]> {
  const axis = (k: number, key: "spacing" | "shape") => subjects.map((s) => s[key][k]);
  const median = [0, 1, 2].map((k) => percentileOf(axis(k, "spacing"), 50));
  const target = [...median];
  let anisotropic = false;
  if (anisotropy === "nnunet" && subjects.length > 0) {
    const sizes = [0, 1, 2].map((k) => percentileOf(axis(k, "shape"), 50));
    let worst = 0;
    for (let k = 1; k < 3; k++) if (target[k] > target[worst]) worst = k;
    const others = [0, 1, 2].filter((k) => k !== worst);
    const otherSpacing = Math.max(...others.map((k) => target[k]));
    const otherSize = Math.min(...others.map((k) => sizes[k]));
    if (target[worst] > 3 * otherSpacing && sizes[worst] * 3 < otherSize) {
      let t = percentileOf(axis(worst, "spacing"), 10);
      if (t < otherSpacing) t = Math.max(otherSpacing, t) + 1e-5;
      target[worst] = t;
      anisotropic = true;
    }
  }
  return {
    median,
    target,
    rule: anisotropy === "nnunet" ? "nnunet-anisotropy" : "median",
    anisotropic,
  };
}

/**
 * The statistics of the step from its context, or an error explaining what a dataset statistic
 * needs.
 */
export function requireDatasetStats(stats: DatasetStats | undefined, step: string): DatasetStats {
  if (stats) return stats;
  throw new Error(
    `${step} needs dataset statistics: over: dataset (or spacing: median) pools every subject of the manifest in a statistics pass that \`medprep run\` makes first (or give run --stats FILE from \`medprep fingerprint\`)`,
  );
}
