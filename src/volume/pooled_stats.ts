/**
 * Mergeable pooled statistics of real voxel values over many volumes (issue 13.3): count,
 * min, max, mean, population std and numpy 'linear' percentiles.
 *
 * - Integer-valued data (every value counted so far is an integer, e.g. CT in HU): one count
 *   per distinct value. Merging adds counts, so any grouping and order of merges gives the same
 *   histogram; mean and variance are computed from it with exact integer arithmetic (one final
 *   rounding), percentiles are numpy's `percentile(pooled, q)` ('linear') exactly.
 * - Float data: moments per named part (one part per subject and volume, each float64 two-pass)
 *   combined at the end in sorted part order (Chan et al.), so any sharding gives the same
 *   bits; percentiles come from a mergeable histogram of 2^14 buckets per power of two (bucket
 *   width ≤ 2^-14 relative, each bucket's exact min and max kept; ranks interpolated inside a
 *   bucket), so the rank of a returned percentile is off by at most the share of voxels in one
 *   bucket (≤ 1e-4 of the pooled rank on smooth data; tests/volume/pooled_stats_test.ts).
 *
 * NaN values are skipped (numpy `nanpercentile`, `nanmean`); the JSON form is exact.
 */
import type { NumberArray } from "./dtype.ts";

/** Which voxels of a frame are counted. */
export interface PoolMask {
  /** Count only values ≠ 0. */
  nonzero?: boolean;
  /** Count only voxels where this array (same length) is ≠ 0 (e.g. a label role). */
  where?: ArrayLike<number>;
}

/** Moments of one part (a subject's volume) in float64. */
interface Part {
  n: number;
  mean: number;
  /** Sum of squared deviations from `mean`. */
  m2: number;
}

/** One float histogram bucket: count and the exact extremes of its values. */
interface Bucket {
  count: number;
  min: number;
  max: number;
}

/** The JSON form of a pooled accumulator (exact: numbers round-trip, big sums as strings). */
export type PooledStatsJson =
  | {
    kind: "integer";
    n: number;
    min: number | null;
    max: number | null;
    /** Distinct values, ascending, and how many voxels hold each. */
    values: number[];
    counts: number[];
  }
  | {
    kind: "float";
    n: number;
    min: number | null;
    max: number | null;
    parts: Record<string, Part>;
    /** Integer-valued groups merged in (counted in the buckets too). */
    values: number[];
    counts: number[];
    /** [bucket id, count, min, max], ascending bucket id. */
    buckets: [number, number, number, number][];
  };

/** Finalized pooled statistics (NaN where nothing was counted). */
export interface PooledSummary {
  n: number;
  min: number;
  max: number;
  mean: number;
  /** Population standard deviation (ddof 0). */
  std: number;
  /** True when every value was an integer: percentiles are exact. */
  exact: boolean;
}

/** Dense bins covering int16 and uint16 (the common CT/MR storage) before a Map is needed. */
const DENSE_LO = -32768;
const DENSE_SIZE = 131072;
/** Float buckets per power of two: 2^BUCKET_BITS. */
const BUCKET_BITS = 14;
const SHIFT = 20 - BUCKET_BITS;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);
const HI = LITTLE_ENDIAN ? 1 : 0;

/** Order-preserving bucket id of a float64 value (top bits of its IEEE representation). */
export function bucketOf(v: number): number {
  F64[0] = v;
  const hi = U32[HI];
  return hi >= 0x80000000 ? -((hi & 0x7fffffff) >>> SHIFT) - 1 : hi >>> SHIFT;
}

/** Mergeable pooled statistics; see the module comment. */
export class PooledStats {
  #n = 0;
  #min = Infinity;
  #max = -Infinity;
  /** Integer mode: value → count (null once float). */
  #hist: Map<number, number> | null = new Map();
  /** Float mode: part name → moments; bucket id → bucket; integer-mode groups merged in. */
  #parts = new Map<string, Part>();
  #ints = new Map<number, number>();
  #buckets = new Map<number, Bucket>();
  /** Sorted view for percentiles, dropped on every change. */
  #sortedCache: { values: number[]; counts: number[]; min?: number[]; max?: number[] } | null =
    null;

  /** Number of values counted. */
  get count(): number {
    return this.#n;
  }

  /** True while every value counted is an integer (percentiles exact). */
  get integer(): boolean {
    return this.#hist !== null;
  }

  /**
   * Counts the real values `raw × slope + inter` of `values` selected by `mask`; `part` names
   * this contribution (unique per subject and volume: it orders the float merge).
   * @throws Error when `part` was already added to a float accumulator
   */
  add(
    values: NumberArray,
    options: { slope?: number; inter?: number; mask?: PoolMask; part: string },
  ): void {
    const slope = options.slope ?? 1, inter = options.inter ?? 0;
    const nonzero = options.mask?.nonzero ?? false;
    const where = options.mask?.where;
    if (where && where.length !== values.length) {
      throw new Error(
        `Cannot pool values through a mask of ${where.length} voxels for ${values.length}`,
      );
    }
    const len = values.length;
    this.#sortedCache = null;
    if (this.#hist && this.#addNarrowIntegers(values, slope, inter, nonzero, where)) return;
    // Pass 1: are the selected values integers? count, extremes, sum for the float part.
    let n = 0, min = Infinity, max = -Infinity, sum = 0, integer = true;
    for (let i = 0; i < len; i++) {
      if (where && where[i] === 0) continue;
      const v = values[i] * slope + inter;
      if (v !== v || (nonzero && v === 0)) continue;
      n++;
      sum += v;
      if (v < min) min = v;
      if (v > max) max = v;
      if (integer && !Number.isSafeInteger(v)) integer = false;
    }
    if (n === 0) return;
    if (!integer && this.#hist) this.#toFloat();
    if (this.#hist) {
      this.#countIntegers(values, slope, inter, nonzero, where, min, max);
    } else {
      if (this.#parts.has(options.part)) {
        throw new Error(`Cannot pool part "${options.part}" twice`);
      }
      const mean = sum / n;
      let m2 = 0;
      for (let i = 0; i < len; i++) {
        if (where && where[i] === 0) continue;
        const v = values[i] * slope + inter;
        if (v !== v || (nonzero && v === 0)) continue;
        m2 += (v - mean) * (v - mean);
        const id = bucketOf(v);
        const b = this.#buckets.get(id);
        if (b) {
          b.count++;
          if (v < b.min) b.min = v;
          if (v > b.max) b.max = v;
        } else this.#buckets.set(id, { count: 1, min: v, max: v });
      }
      this.#parts.set(options.part, { n, mean, m2 });
    }
    this.#n += n;
    if (min < this.#min) this.#min = min;
    if (max > this.#max) this.#max = max;
  }

  /**
   * Fast path (one pass): 8/16-bit integer storage with integer slope and inter — every real
   * value is an integer; counts per stored value, mapped to real values afterwards.
   * Returns false when it does not apply.
   */
  #addNarrowIntegers(
    values: NumberArray,
    slope: number,
    inter: number,
    nonzero: boolean,
    where: ArrayLike<number> | undefined,
  ): boolean {
    const narrow = values instanceof Int16Array || values instanceof Uint16Array ||
      values instanceof Uint8Array || values instanceof Int8Array;
    if (!narrow || !Number.isInteger(slope) || !Number.isInteger(inter)) return false;
    if (Math.abs(slope) * 65536 + Math.abs(inter) > Number.MAX_SAFE_INTEGER) return false;
    const lo = values instanceof Int16Array ? -32768 : values instanceof Int8Array ? -128 : 0;
    const bins = new Float64Array(
      values instanceof Uint8Array || values instanceof Int8Array ? 256 : 65536,
    );
    const len = values.length;
    if (where) {
      for (let i = 0; i < len; i++) if (where[i] !== 0) bins[values[i] - lo]++;
    } else {
      for (let i = 0; i < len; i++) bins[values[i] - lo]++;
    }
    const hist = this.#hist!;
    let n = 0, min = Infinity, max = -Infinity;
    for (let b = 0; b < bins.length; b++) {
      const c = bins[b];
      if (c === 0) continue;
      const v = (b + lo) * slope + inter;
      if (nonzero && v === 0) continue;
      hist.set(v, (hist.get(v) ?? 0) + c);
      n += c;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    this.#n += n;
    if (n > 0 && min < this.#min) this.#min = min;
    if (n > 0 && max > this.#max) this.#max = max;
    return true;
  }

  #countIntegers(
    values: NumberArray,
    slope: number,
    inter: number,
    nonzero: boolean,
    where: ArrayLike<number> | undefined,
    min: number,
    max: number,
  ): void {
    const hist = this.#hist!;
    if (min >= DENSE_LO && max < DENSE_LO + DENSE_SIZE) {
      const lo = min, bins = new Float64Array(max - min + 1);
      for (let i = 0; i < values.length; i++) {
        if (where && where[i] === 0) continue;
        const v = values[i] * slope + inter;
        if (v !== v || (nonzero && v === 0)) continue;
        bins[v - lo]++;
      }
      for (let b = 0; b < bins.length; b++) {
        if (bins[b] > 0) hist.set(b + lo, (hist.get(b + lo) ?? 0) + bins[b]);
      }
      return;
    }
    for (let i = 0; i < values.length; i++) {
      if (where && where[i] === 0) continue;
      const v = values[i] * slope + inter;
      if (v !== v || (nonzero && v === 0)) continue;
      hist.set(v, (hist.get(v) ?? 0) + 1);
    }
  }

  /** Integer mode → float mode: the histogram is kept (exact) and feeds the buckets. */
  #toFloat(): void {
    const hist = this.#hist!;
    this.#hist = null;
    this.#addInts(hist);
  }

  #addInts(hist: Map<number, number>): void {
    for (const [v, c] of hist) {
      this.#ints.set(v, (this.#ints.get(v) ?? 0) + c);
      this.#addBucket(bucketOf(v), { count: c, min: v, max: v });
    }
  }

  #addBucket(id: number, b: Bucket): void {
    const have = this.#buckets.get(id);
    if (!have) this.#buckets.set(id, { ...b });
    else {
      have.count += b.count;
      if (b.min < have.min) have.min = b.min;
      if (b.max > have.max) have.max = b.max;
    }
  }

  /** Adds another accumulator's counts into this one (exact; see the module comment). */
  merge(other: PooledStats): this {
    if (other.#n === 0) return this;
    this.#sortedCache = null;
    if (this.#hist && !other.#hist) this.#toFloat();
    if (this.#hist) {
      for (const [v, c] of other.#hist!) this.#hist.set(v, (this.#hist.get(v) ?? 0) + c);
    } else if (other.#hist) {
      this.#addInts(other.#hist);
    } else {
      for (const [k, p] of other.#parts) {
        if (this.#parts.has(k)) throw new Error(`Cannot merge part "${k}" twice`);
        this.#parts.set(k, { ...p });
      }
      for (const [v, c] of other.#ints) this.#ints.set(v, (this.#ints.get(v) ?? 0) + c);
      for (const [id, b] of other.#buckets) this.#addBucket(id, b);
    }
    this.#n += other.#n;
    if (other.#min < this.#min) this.#min = other.#min;
    if (other.#max > this.#max) this.#max = other.#max;
    return this;
  }

  /** Exact mean and variance of an integer histogram, each rounded once. */
  #integerMoments(hist: Map<number, number>): { mean: number; variance: number } {
    let n = 0n, s = 0n, ss = 0n;
    for (const [v, c] of hist) {
      const bv = BigInt(v), bc = BigInt(c);
      n += bc;
      s += bc * bv;
      ss += bc * bv * bv;
    }
    // variance = (n·Σv² − (Σv)²) / n²
    return { mean: ratioToNumber(s, n), variance: ratioToNumber(n * ss - s * s, n * n) };
  }

  /** Count, extremes, mean and population std (NaN when empty). */
  summary(): PooledSummary {
    if (this.#n === 0) {
      return { n: 0, min: NaN, max: NaN, mean: NaN, std: NaN, exact: this.integer };
    }
    const base = { n: this.#n, min: this.#min, max: this.#max };
    if (this.#hist) {
      const m = this.#integerMoments(this.#hist);
      return { ...base, mean: m.mean, std: Math.sqrt(m.variance), exact: true };
    }
    let n = 0, mean = 0, m2 = 0;
    const parts = [...this.#parts.keys()].sort(compareKeys).map((k) => this.#parts.get(k)!);
    if (this.#ints.size > 0) {
      // Integer-valued groups merged in: one exact part, first.
      const m = this.#integerMoments(this.#ints);
      let c = 0;
      for (const v of this.#ints.values()) c += v;
      parts.unshift({ n: c, mean: m.mean, m2: m.variance * c });
    }
    for (const p of parts) {
      if (n === 0) {
        ({ n, mean, m2 } = p);
        continue;
      }
      const total = n + p.n, delta = p.mean - mean;
      mean = (n * mean + p.n * p.mean) / total;
      m2 = m2 + p.m2 + delta * delta * (n * p.n / total);
      n = total;
    }
    return { ...base, mean, std: Math.sqrt(m2 / n), exact: false };
  }

  /**
   * Percentiles (0–100) with numpy's 'linear' method over the pooled values: exact for
   * integer-valued data, else from the bucket histogram (module comment); NaN when empty.
   */
  percentiles(qs: readonly number[]): number[] {
    const n = this.#n;
    if (n === 0) return qs.map(() => NaN);
    const plans = qs.map((q) => {
      const virtual = (n - 1) * (q / 100);
      const prev = virtual >= n - 1 ? n - 1 : Math.max(0, Math.floor(virtual));
      const next = virtual >= n - 1 ? n - 1 : Math.max(0, prev + 1);
      return { prev, next, gamma: virtual - Math.floor(virtual) };
    });
    const ks = [...new Set(plans.flatMap((p) => [p.prev, p.next]))].sort((a, b) => a - b);
    const found = new Map<number, number>();
    const stats = this.#orderStatistics(ks);
    ks.forEach((k, i) => found.set(k, stats[i]));
    return plans.map(({ prev, next, gamma }) => {
      const a = found.get(prev)!, b = found.get(next)!;
      if (prev === next) return a;
      const diff = b - a;
      return gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma;
    });
  }

  /** The 0-based order statistics `ks` (ascending). */
  #orderStatistics(ks: readonly number[]): number[] {
    const sorted = this.#sorted();
    const out: number[] = [];
    let b = 0, below = 0;
    for (const k of ks) {
      while (below + sorted.counts[b] <= k) below += sorted.counts[b++];
      if (!sorted.min) out.push(sorted.values[b]);
      else {
        // Inside a float bucket: interpolate the rank linearly between its exact extremes.
        const c = sorted.counts[b], lo = sorted.min[b], hi = sorted.max![b];
        out.push(c === 1 ? lo : lo + (hi - lo) * ((k - below) / (c - 1)));
      }
    }
    return out;
  }

  #sorted() {
    if (this.#sortedCache) return this.#sortedCache;
    if (this.#hist) {
      const values = [...this.#hist.keys()].sort((a, b) => a - b);
      this.#sortedCache = { values, counts: values.map((v) => this.#hist!.get(v)!) };
    } else {
      const ids = [...this.#buckets.keys()].sort((a, b) => a - b);
      const bs = ids.map((id) => this.#buckets.get(id)!);
      this.#sortedCache = {
        values: ids,
        counts: bs.map((b) => b.count),
        min: bs.map((b) => b.min),
        max: bs.map((b) => b.max),
      };
    }
    return this.#sortedCache;
  }

  /** The exact JSON form (keys and arrays in a canonical order). */
  toJSON(): PooledStatsJson {
    const extremes = {
      n: this.#n,
      min: this.#n ? this.#min : null,
      max: this.#n ? this.#max : null,
    };
    if (this.#hist) {
      const values = [...this.#hist.keys()].sort((a, b) => a - b);
      return {
        kind: "integer",
        ...extremes,
        values,
        counts: values.map((v) => this.#hist!.get(v)!),
      };
    }
    const parts: Record<string, Part> = {};
    for (const k of [...this.#parts.keys()].sort(compareKeys)) {
      parts[k] = { ...this.#parts.get(k)! };
    }
    const ids = [...this.#buckets.keys()].sort((a, b) => a - b);
    const ints = [...this.#ints.keys()].sort((a, b) => a - b);
    return {
      kind: "float",
      ...extremes,
      parts,
      values: ints,
      counts: ints.map((v) => this.#ints.get(v)!),
      buckets: ids.map((id) => {
        const b = this.#buckets.get(id)!;
        return [id, b.count, b.min, b.max];
      }),
    };
  }

  /**
   * Rebuilds an accumulator from its JSON form.
   * @throws Error when the JSON is not a pooled accumulator
   */
  static fromJSON(json: PooledStatsJson): PooledStats {
    const out = new PooledStats();
    if (!json || typeof json !== "object" || typeof json.n !== "number") {
      throw new Error("Cannot read pooled statistics: not an accumulator object");
    }
    out.#n = json.n;
    out.#min = json.min ?? Infinity;
    out.#max = json.max ?? -Infinity;
    if (json.kind === "integer") {
      if (json.values.length !== json.counts.length) {
        throw new Error("Cannot read pooled statistics: values and counts differ in length");
      }
      json.values.forEach((v, i) => out.#hist!.set(v, json.counts[i]));
    } else if (json.kind === "float") {
      out.#hist = null;
      for (const [k, p] of Object.entries(json.parts)) out.#parts.set(k, { ...p });
      json.values.forEach((v, i) => out.#ints.set(v, json.counts[i]));
      for (const [id, count, min, max] of json.buckets) out.#buckets.set(id, { count, min, max });
    } else {throw new Error(
        `Cannot read pooled statistics of kind "${(json as { kind: string }).kind}"`,
      );}
    return out;
  }
}

/** Part keys in code-unit order (locale-free, so every machine merges alike). */
function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function bitLength(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

/** num / den (den > 0) rounded once to the nearest float64 (ties to even). */
export function ratioToNumber(num: bigint, den: bigint): number {
  if (num === 0n) return 0;
  const negative = num < 0n;
  const a = negative ? -num : num;
  // Quotient with ≥ 66 significant bits; a nonzero remainder becomes a sticky low bit, so
  // Number() (round half to even) rounds the true quotient correctly.
  const shift = Math.max(0, 66 - (bitLength(a) - bitLength(den)));
  const scaled = a << BigInt(shift);
  let q = scaled / den;
  if (q * den !== scaled) q |= 1n;
  // q ≥ 2^65 here, so dividing by 2^shift (shift ≤ ~1100) is exact unless subnormal.
  let value = Number(q);
  let s = shift;
  while (s > 0) {
    const step = Math.min(s, 1000);
    value /= 2 ** step;
    s -= step;
  }
  return negative ? -value : value;
}
