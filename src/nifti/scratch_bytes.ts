/**
 * Reusable scratch byte buffers of this thread: the first read of a file (64 KiB) and a gzip
 * reader's input (256 KiB). Allocating them fresh for every file cost 13–40 µs each (zeroing, and
 * V8's large-object space), most of a header-only read, which planning does for every input of
 * every row (issue 15.3c: `run --dry-run` of a 100,000-row manifest). A buffer lent out belongs
 * to one stream until that stream gives it back, once, when it closes; its old bytes are never
 * read (each stream tracks how far it filled it). At most a few of each size are kept.
 */

const KEEP = 4;
const spare = new Map<number, Uint8Array[]>();

/** A buffer of `size` bytes, reused when one was given back (contents arbitrary). */
export function borrowBytes(size: number): Uint8Array {
  return spare.get(size)?.pop() ?? new Uint8Array(size);
}

/** Gives `bytes` back for reuse; the caller must not touch it afterwards. */
export function giveBackBytes(bytes: Uint8Array): void {
  let list = spare.get(bytes.length);
  if (!list) spare.set(bytes.length, list = []);
  // Never lend one buffer twice, even if a stream gave it back twice.
  if (list.length < KEEP && !list.includes(bytes)) list.push(bytes);
}
