/**
 * Sums in numpy's order, so means and standard deviations equal numpy's bit for bit (SPEC §2:
 * what a float pipeline sees). `np.sum` / `np.mean` / `np.std` of a float64 array add the
 * values in blocks of 8192 (the iterator's buffer size), each block summed pairwise as numpy's
 * `pairwise_sum` does (umath loops_utils): up to 128 values with eight accumulators, longer runs
 * split in halves rounded down to a multiple of 8. A naive running sum of 10⁵ values near 3·10⁴
 * is off by ~10⁻¹⁰ of the mean, which moves a z-score's float32 rounding in ~0.2% of voxels.
 */

/** numpy's block: the reduction iterator's default buffer size. */
const BLOCK = 8192;
/** numpy's PW_BLOCKSIZE. */
const LEAF = 128;

/** numpy's `pairwise_sum` of a[from, from + n). */
function pairwise(a: Float64Array, from: number, n: number): number {
  if (n < 8) {
    let res = 0;
    for (let i = from; i < from + n; i++) res += a[i];
    return res;
  }
  if (n <= LEAF) {
    let r0 = a[from], r1 = a[from + 1], r2 = a[from + 2], r3 = a[from + 3];
    let r4 = a[from + 4], r5 = a[from + 5], r6 = a[from + 6], r7 = a[from + 7];
    const whole = from + n - (n % 8);
    let i = from + 8;
    for (; i < whole; i += 8) {
      r0 += a[i];
      r1 += a[i + 1];
      r2 += a[i + 2];
      r3 += a[i + 3];
      r4 += a[i + 4];
      r5 += a[i + 5];
      r6 += a[i + 6];
      r7 += a[i + 7];
    }
    let res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
    for (; i < from + n; i++) res += a[i];
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwise(a, from, n2) + pairwise(a, from + n2, n - n2);
}

/** A running sum in numpy's order: `add` every value, then `total()`. */
export class NumpySum {
  readonly #block = new Float64Array(BLOCK);
  #n = 0;
  #acc = 0;

  /** Adds the next value. */
  add(v: number): void {
    this.#block[this.#n++] = v;
    if (this.#n === BLOCK) {
      this.#acc += pairwise(this.#block, 0, BLOCK);
      this.#n = 0;
    }
  }

  /** The sum of every value added (what `np.sum` gives for them in this order). */
  total(): number {
    return this.#acc + pairwise(this.#block, 0, this.#n);
  }
}
