import type { NumberArray } from "./dtype.ts";

/**
 * The values of the given 0-based order statistics of `values` (no NaN), found by
 * quickselect; `values` is partially reordered in place (pass a scratch copy).
 */
export function selectOrderStatistics(values: NumberArray, ks: readonly number[]): number[] {
  const order = ks.map((k, i) => ({ k, i })).sort((a, b) => a.k - b.k);
  const out = new Array<number>(ks.length);
  let left = 0;
  for (const { k, i } of order) {
    if (k < 0 || k >= values.length) {
      throw new RangeError(`Cannot select order statistic ${k} of ${values.length} values`);
    }
    // After selecting k, everything at index ≥ k is ≥ values[k]: later (larger) k search there.
    selectInPlace(values, k, left, values.length - 1);
    out[i] = values[k];
    left = k;
  }
  return out;
}

/** Rearranges values[left..right] so that values[k] is the k-th smallest (Hoare partitions). */
function selectInPlace(a: NumberArray, k: number, left: number, right: number): void {
  // Guard against quadratic behaviour on adversarial orders: sort once the budget is spent.
  let budget = 4 * Math.ceil(Math.log2(right - left + 2)) + 8;
  while (right > left) {
    if (budget-- === 0) {
      a.subarray(left, right + 1).sort();
      return;
    }
    const mid = left + ((right - left) >>> 1);
    // Median of three as pivot.
    if (a[mid] < a[left]) swap(a, mid, left);
    if (a[right] < a[left]) swap(a, right, left);
    if (a[right] < a[mid]) swap(a, right, mid);
    const pivot = a[mid];
    let i = left, j = right;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        swap(a, i, j);
        i++;
        j--;
      }
    }
    // Now a[left..j] ≤ pivot, a[i..right] ≥ pivot and a[j+1..i-1] = pivot.
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else return;
  }
}

function swap(a: NumberArray, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}
