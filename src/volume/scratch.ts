/**
 * A module-level pool of float scratch buffers keyed by type and length, so
 * repeated resamplings (one per subject, role and frame) reuse their big buffers.
 */

/** A float scratch buffer. */
export type FloatArray = Float32Array | Float64Array;

const POOL = new Map<string, FloatArray[]>();
/** Keys borrowed since the last `trimScratchPool` (sizes still in use by the data set). */
const BORROWED = new Set<string>();
/** Pooled bytes are capped so a burst of odd sizes cannot pin memory forever. */
const MAX_POOLED_BYTES = 768 * 1024 * 1024;
let pooledBytes = 0;

function key(f64: boolean, length: number): string {
  return `${f64 ? 64 : 32}:${length}`;
}

/** Takes a buffer of `length` floats (contents undefined) from the pool or allocates one. */
export function borrowFloats(f64: boolean, length: number): FloatArray {
  BORROWED.add(key(f64, length));
  const list = POOL.get(key(f64, length));
  const got = list?.pop();
  if (got) {
    pooledBytes -= got.byteLength;
    return got;
  }
  return f64 ? new Float64Array(length) : new Float32Array(length);
}

/** Returns a buffer to the pool (dropped when the pool is full). */
export function releaseFloats(buffer: FloatArray): void {
  if (pooledBytes + buffer.byteLength > MAX_POOLED_BYTES) return;
  const k = key(buffer instanceof Float64Array, buffer.length);
  const list = POOL.get(k);
  if (list) list.push(buffer);
  else POOL.set(k, [buffer]);
  pooledBytes += buffer.byteLength;
}

/** Empties the pool (frees its memory for the garbage collector). */
export function clearScratchPool(): void {
  POOL.clear();
  BORROWED.clear();
  pooledBytes = 0;
}

/**
 * Drops pooled buffers of sizes nobody borrowed since the previous trim (a worker calls it
 * after each subject): volumes of varying shapes must not fill the pool with sizes that never
 * come back (issue #10.6).
 */
export function trimScratchPool(): void {
  for (const [k, list] of POOL) {
    if (BORROWED.has(k)) continue;
    for (const b of list) pooledBytes -= b.byteLength;
    POOL.delete(k);
  }
  BORROWED.clear();
}

/** Bytes currently held by the pool. */
export function pooledScratchBytes(): number {
  return pooledBytes;
}
