/**
 * Large input buffers reused across the subjects of one worker: fresh memory is slow to
 * fault in, and a data set's volumes mostly have similar sizes. A buffer handed out by
 * `acquire` belongs to the current subject until `releaseAll` (called after the subject
 * is written: steps never keep or mutate their inputs, so nothing refers to it then).
 */

/** Buffers smaller than this are not worth pooling. */
const MIN_POOLED = 1 << 20;

/** A per-worker pool of ArrayBuffers. */
export interface BufferPool {
  /** A buffer of at least `bytes` (a free pooled one when one fits, else a new one). */
  acquire(bytes: number): ArrayBuffer;
  /** Makes every buffer acquired so far free again. */
  releaseAll(): void;
  /** Bytes held by the pool (free and in use). */
  heldBytes(): number;
}

/**
 * Creates a pool keeping at most `maxHeldBytes` of buffers. A request takes the smallest
 * free buffer that holds it and wastes at most a quarter of it; new buffers get 1/16
 * headroom (rounded to 1 MiB) so slightly larger volumes of the next subject fit.
 */
export function createBufferPool(maxHeldBytes: number): BufferPool {
  const free: ArrayBuffer[] = [];
  const used: ArrayBuffer[] = [];
  const held = () => [...free, ...used].reduce((s, b) => s + b.byteLength, 0);
  return {
    acquire(bytes) {
      if (bytes < MIN_POOLED) return new ArrayBuffer(bytes);
      let best = -1;
      for (let i = 0; i < free.length; i++) {
        const n = free[i].byteLength;
        if (n >= bytes && n * 0.75 <= bytes && (best < 0 || n < free[best].byteLength)) best = i;
      }
      if (best >= 0) {
        const [b] = free.splice(best, 1);
        used.push(b);
        return b;
      }
      const size = Math.ceil((bytes * 17) / 16 / MIN_POOLED) * MIN_POOLED;
      // Drop the largest free buffers until the new one fits under the cap.
      free.sort((a, b) => a.byteLength - b.byteLength);
      while (free.length > 0 && held() + size > maxHeldBytes) free.pop();
      const b = new ArrayBuffer(size);
      if (held() + size <= maxHeldBytes) used.push(b);
      return b;
    },
    releaseAll() {
      free.push(...used.splice(0));
    },
    heldBytes: held,
  };
}
