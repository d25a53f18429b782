/**
 * Large input buffers reused across the subjects of one worker: fresh memory is slow to
 * fault in, and a data set's volumes mostly have similar sizes. A buffer handed out by
 * `acquire` belongs to the current subject until `releaseAll` (called after the subject
 * is written: steps never keep or mutate their inputs, so nothing refers to it then).
 *
 * The pool holds at most what one subject used: `releaseAll` drops the free buffers that
 * the finished subject did not take, so a worker's memory follows the current subject's
 * sizes instead of accumulating every size it has seen (issue #10.6: RSS grew 2–3 MiB per
 * subject when a 1 MiB headroom made every buffer too large to be handed out again).
 */

/** Buffers smaller than this are not worth pooling. */
export const MIN_POOLED = 1 << 20;
/** New buffers are rounded up to this (page-friendly, small against the pooled sizes). */
const GRANULE = 1 << 16;

/** A per-worker pool of ArrayBuffers. */
export interface BufferPool {
  /** A buffer of at least `bytes` (a free pooled one when one fits, else a new one). */
  acquire(bytes: number): ArrayBuffer;
  /** Makes every buffer acquired so far free again, dropping the free ones nobody took. */
  releaseAll(): void;
  /**
   * Makes the buffers acquired so far that are not in `live` free again (kept by the pool),
   * so the next step of the same subject reuses them instead of faulting in new memory.
   */
  releaseExcept(live: ReadonlySet<ArrayBufferLike>): void;
  /**
   * Takes buffers made elsewhere (the main thread's first-subject buffers, first_buffers.ts) as
   * free ones; like every free buffer, those the current subject does not take are dropped by
   * `releaseAll`.
   */
  adopt(buffers: readonly ArrayBuffer[]): void;
  /**
   * Takes a buffer made elsewhere that already holds the current subject's data (the main
   * thread's read of a first subject's input) as one acquired by this subject: never handed out
   * while the subject may use it, free for reuse after `releaseAll` (or `releaseExcept` without
   * it), like a buffer `acquire` made. Over the cap it is simply not kept.
   */
  adoptInUse(buffer: ArrayBuffer): void;
  /** Bytes held by the pool (free and in use). */
  heldBytes(): number;
}

/** Whether a free buffer of `size` bytes may serve a request of `bytes`: wastes ≤ 1/4 + 1 granule. */
export function fitsRequest(size: number, bytes: number): boolean {
  return size >= bytes && size - bytes <= bytes / 4 + GRANULE;
}

/** Size of a new buffer for `bytes`: 1/16 headroom so slightly larger volumes fit later. */
export function pooledSize(bytes: number): number {
  return Math.ceil((bytes + bytes / 16) / GRANULE) * GRANULE;
}

/**
 * Creates a pool keeping at most `maxHeldBytes` of buffers. A request takes the smallest
 * free buffer that fits it (see `fitsRequest`); new buffers get `pooledSize` headroom,
 * which always fits the request that made them.
 */
export function createBufferPool(maxHeldBytes: number): BufferPool {
  let free: ArrayBuffer[] = [];
  const used: ArrayBuffer[] = [];
  /** Buffers handed out since the last `releaseAll` (also those freed again meanwhile). */
  let taken = new Set<ArrayBuffer>();
  const held = () => [...free, ...used].reduce((s, b) => s + b.byteLength, 0);
  return {
    acquire(bytes) {
      if (bytes < MIN_POOLED) return new ArrayBuffer(bytes);
      let best = -1;
      for (let i = 0; i < free.length; i++) {
        const n = free[i].byteLength;
        if (fitsRequest(n, bytes) && (best < 0 || n < free[best].byteLength)) best = i;
      }
      if (best >= 0) {
        const [b] = free.splice(best, 1);
        used.push(b);
        taken.add(b);
        return b;
      }
      const size = pooledSize(bytes);
      // Drop the largest free buffers until the new one fits under the cap.
      free.sort((a, b) => a.byteLength - b.byteLength);
      while (free.length > 0 && held() + size > maxHeldBytes) free.pop();
      const b = new ArrayBuffer(size);
      if (held() + size <= maxHeldBytes) {
        used.push(b);
        taken.add(b);
      }
      return b;
    },
    releaseAll() {
      free = [...used.splice(0), ...free.filter((b) => taken.has(b))];
      taken = new Set();
    },
    releaseExcept(live) {
      for (let i = used.length - 1; i >= 0; i--) {
        if (!live.has(used[i])) free.push(...used.splice(i, 1));
      }
    },
    adopt(buffers) {
      for (const b of buffers) {
        if (b.byteLength >= MIN_POOLED && held() + b.byteLength <= maxHeldBytes) free.push(b);
      }
    },
    adoptInUse(buffer) {
      if (buffer.byteLength < MIN_POOLED || used.includes(buffer)) return;
      const i = free.indexOf(buffer);
      if (i >= 0) free.splice(i, 1);
      else if (held() + buffer.byteLength > maxHeldBytes) return;
      used.push(buffer);
      taken.add(buffer);
    },
    heldBytes: held,
  };
}
