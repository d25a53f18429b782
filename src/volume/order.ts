import type { NumberArray } from "./dtype.ts";

/** Order statistics of the stored values of one frame that a mask keeps. */
export interface OrderSource {
  /** Number of values kept (not NaN, inside the mask). */
  count: number;
  /** The stored values of the given 0-based order statistics (ascending stored order). */
  orderStatistics(ks: readonly number[]): number[];
}

/** Which stored values count: not NaN and, with `nonzero`, raw × slope + inter ≠ 0. */
export interface OrderOptions {
  slope: number;
  inter: number;
  nonzero: boolean;
}

/** Order statistics of integer values in [lo, hi] from one histogram pass (one bin per value). */
export function histogramOrderSource(
  src: NumberArray,
  lo: number,
  hi: number,
  options: OrderOptions,
): OrderSource {
  const counts = new Uint32Array(Math.max(1, hi - lo + 1));
  for (let i = 0; i < src.length; i++) counts[src[i] - lo]++;
  if (options.nonzero) {
    for (let b = 0; b < counts.length; b++) {
      if ((b + lo) * options.slope + options.inter === 0) counts[b] = 0;
    }
  }
  let count = 0;
  for (let b = 0; b < counts.length; b++) count += counts[b];
  return {
    count,
    orderStatistics(ks) {
      return walkCounts(counts, ks).map(({ bucket }) => bucket + lo);
    },
  };
}

const BUCKETS = 1 << 16;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** An order-preserving unsigned key of each value, as 16-bit digits in one or two 32-bit words. */
interface RadixKeys {
  /** 2 digits (float32, 32-bit integers) or 4 (float64). */
  digits: 2 | 4;
  hi(i: number): number;
  lo(i: number): number;
  /** The value whose key words are (hi, lo). */
  value(hi: number, lo: number): number;
}

/**
 * Order statistics of any values by radix selection on 16-bit digits of an order-preserving
 * key: one counting pass per digit over the values whose higher digits match; no copy.
 */
export function radixOrderSource(src: NumberArray, options: OrderOptions): OrderSource {
  const keys = createKeys(src);
  const { slope, inter, nonzero } = options;
  const count = (level: number, prefix: readonly number[]) => {
    const counts = new Uint32Array(BUCKETS);
    const hiPrefix = ((prefix[0] << 16) | prefix[1]) >>> 0, p2 = prefix[2];
    for (let i = 0; i < src.length; i++) {
      const r = src[i];
      if (r !== r || (nonzero && r * slope + inter === 0)) continue;
      const h = keys.hi(i);
      if (level === 0) counts[h >>> 16]++;
      else if (level === 1) {
        if (h >>> 16 === prefix[0]) counts[h & 0xffff]++;
      } else if (h === hiPrefix) {
        const l = keys.lo(i);
        if (level === 2) counts[l >>> 16]++;
        else if (l >>> 16 === p2) counts[l & 0xffff]++;
      }
    }
    return counts;
  };
  const top = count(0, []);
  let total = 0;
  for (let b = 0; b < BUCKETS; b++) total += top[b];
  const resolve = (level: number, prefix: number[], counts: Uint32Array, ranks: number[]) => {
    const located = walkCounts(counts, ranks);
    const out = new Array<number>(ranks.length);
    for (const bucket of new Set(located.map((l) => l.bucket))) {
      const idx = located.flatMap((l, i) => (l.bucket === bucket ? [i] : []));
      const digits = [...prefix, bucket];
      let values: number[];
      if (level === keys.digits - 1) {
        const hi = ((digits[0] << 16) | digits[1]) >>> 0;
        const lo = keys.digits === 4 ? ((digits[2] << 16) | digits[3]) >>> 0 : 0;
        values = idx.map(() => keys.value(hi, lo));
      } else {
        const sub = idx.map((i) => located[i].rank);
        values = resolve(level + 1, digits, count(level + 1, digits), sub);
      }
      idx.forEach((i, j) => (out[i] = values[j]));
    }
    return out;
  };
  return { count: total, orderStatistics: (ks) => resolve(0, [], top, [...ks]) };
}

/** For each order statistic k: its bucket and its rank inside that bucket. */
function walkCounts(counts: Uint32Array, ks: readonly number[]) {
  const order = ks.map((k, i) => ({ k, i })).sort((a, b) => a.k - b.k);
  const out = new Array<{ bucket: number; rank: number }>(ks.length);
  let b = 0, below = 0;
  for (const { k, i } of order) {
    while (below + counts[b] <= k) below += counts[b++];
    out[i] = { bucket: b, rank: k - below };
  }
  return out;
}

/** IEEE order as unsigned order: flip all bits of negatives, set the sign bit of positives. */
function createKeys(src: NumberArray): RadixKeys {
  if (src instanceof Float32Array) {
    const w = new Uint32Array(src.buffer, src.byteOffset, src.length);
    const f = new Float32Array(1), u = new Uint32Array(f.buffer);
    return {
      digits: 2,
      hi: (i) => (w[i] >= 0x80000000 ? ~w[i] >>> 0 : (w[i] | 0x80000000) >>> 0),
      lo: () => 0,
      value(hi) {
        u[0] = hi >= 0x80000000 ? hi ^ 0x80000000 : ~hi >>> 0;
        return f[0];
      },
    };
  }
  if (src instanceof Float64Array) {
    const w = new Uint32Array(src.buffer, src.byteOffset, 2 * src.length);
    const H = LITTLE_ENDIAN ? 1 : 0, L = 1 - H;
    const f = new Float64Array(1), u = new Uint32Array(f.buffer);
    return {
      digits: 4,
      hi: (
        i,
      ) => (w[2 * i + H] >= 0x80000000 ? ~w[2 * i + H] >>> 0 : (w[2 * i + H] | 0x80000000) >>> 0),
      lo: (i) => (w[2 * i + H] >= 0x80000000 ? ~w[2 * i + L] >>> 0 : w[2 * i + L]),
      value(hi, lo) {
        const negative = hi < 0x80000000;
        u[H] = negative ? ~hi >>> 0 : hi ^ 0x80000000;
        u[L] = negative ? ~lo >>> 0 : lo;
        return f[0];
      },
    };
  }
  // Integers up to 32 bits: the offset from the smallest value.
  let min = Infinity;
  for (let i = 0; i < src.length; i++) if (src[i] < min) min = src[i];
  return { digits: 2, hi: (i) => src[i] - min, lo: () => 0, value: (hi) => hi + min };
}
