import assert from "node:assert/strict";
import { createBufferPool, pooledSize } from "../../src/runner/buffer_pool.ts";

const MiB = 1 << 20;

Deno.test("createBufferPool reuses a released buffer for a similar size", () => {
  const pool = createBufferPool(1024 * MiB);
  const a = pool.acquire(100 * MiB);
  assert.ok(a.byteLength >= 100 * MiB);
  const b = pool.acquire(50 * MiB);
  assert.notEqual(a, b);
  // In use: a second request of the same size gets another buffer.
  assert.notEqual(pool.acquire(100 * MiB), a);
  pool.releaseAll();
  assert.equal(pool.acquire(101 * MiB), a); // within the headroom
  assert.equal(pool.acquire(49 * MiB), b);
});

Deno.test("createBufferPool does not hand a much larger buffer to a small request", () => {
  const pool = createBufferPool(1024 * MiB);
  const big = pool.acquire(200 * MiB);
  pool.releaseAll();
  const small = pool.acquire(20 * MiB);
  assert.notEqual(small, big);
  assert.ok(small.byteLength >= 20 * MiB && small.byteLength < 200 * MiB);
});

Deno.test("createBufferPool keeps at most maxHeldBytes and skips tiny buffers", () => {
  const pool = createBufferPool(300 * MiB);
  pool.acquire(200 * MiB);
  pool.releaseAll();
  pool.acquire(250 * MiB); // the free 200 MiB one is dropped to stay under the cap
  assert.ok(pool.heldBytes() <= 300 * MiB, `${pool.heldBytes()}`);
  const tiny = pool.acquire(1000);
  assert.equal(tiny.byteLength, 1000);
  assert.ok(pool.heldBytes() <= 300 * MiB);
});

Deno.test("createBufferPool hands a 1–3 MiB volume's buffer out again (issue #10.6)", () => {
  // 128×128×64 int16 = 2 MiB, uint8 = 1 MiB: the sizes whose buffers used to be too large to reuse.
  for (const bytes of [1 * MiB, 2 * MiB, 3 * MiB, 1 * MiB + 1, 5 * MiB - 3]) {
    const pool = createBufferPool(1024 * MiB);
    const a = pool.acquire(bytes);
    pool.releaseAll();
    assert.equal(pool.acquire(bytes), a, `${bytes} bytes`);
    pool.releaseAll();
    assert.equal(pool.heldBytes(), a.byteLength);
  }
});

Deno.test("createBufferPool holds no more than one subject's buffers across many subjects", () => {
  const pool = createBufferPool(1024 * MiB);
  for (let subject = 0; subject < 200; subject++) {
    // Two roles of sizes that drift from subject to subject.
    pool.acquire(2 * MiB + (subject % 7) * 64 * 1024);
    pool.acquire(1 * MiB + (subject % 5) * 100_000);
    pool.releaseAll();
    assert.ok(pool.heldBytes() <= 2 * 4 * MiB, `subject ${subject}: ${pool.heldBytes()}`);
  }
  // A change of data set (much bigger volumes) frees the small buffers at the next release.
  pool.acquire(40 * MiB);
  pool.releaseAll();
  pool.acquire(40 * MiB);
  pool.releaseAll();
  assert.ok(pool.heldBytes() < 45 * MiB, `${pool.heldBytes()}`);
});

Deno.test("releaseExcept frees the buffers no volume uses; releaseAll keeps what the subject took", () => {
  const pool = createBufferPool(1024 * MiB);
  const a = pool.acquire(10 * MiB), b = pool.acquire(10 * MiB);
  pool.releaseExcept(new Set([b]));
  // a is free again within the subject; b is still in use.
  assert.equal(pool.acquire(10 * MiB), a);
  assert.notEqual(pool.acquire(10 * MiB), b);
  const c = pool.acquire(20 * MiB);
  pool.releaseExcept(new Set([a])); // b and the other 10 MiB one, and c, are free now
  pool.releaseAll();
  // Every buffer the subject took stays pooled for the next subject (nothing was dropped).
  const sizes = [pool.acquire(20 * MiB), pool.acquire(10 * MiB), pool.acquire(10 * MiB)];
  assert.ok(sizes.includes(c));
  assert.equal(new Set(sizes).size, 3);
  assert.equal(pool.heldBytes(), sizes.reduce((s, x) => s + x.byteLength, 0) + a.byteLength);
});

Deno.test("createBufferPool adopts buffers made elsewhere: handed out when they fit, else dropped", () => {
  const pool = createBufferPool(300 * MiB);
  const given = new ArrayBuffer(pooledSize(40 * MiB));
  const odd = new ArrayBuffer(pooledSize(10 * MiB));
  pool.adopt([given, odd, new ArrayBuffer(1024)]); // tiny ones are not pooled
  assert.equal(pool.heldBytes(), given.byteLength + odd.byteLength);
  assert.equal(pool.acquire(40 * MiB), given);
  pool.releaseAll(); // `odd` was not taken by this subject: dropped
  assert.equal(pool.heldBytes(), given.byteLength);
  assert.equal(pool.acquire(40 * MiB), given);
  // The cap holds for adopted buffers too.
  pool.adopt([new ArrayBuffer(290 * MiB)]);
  assert.equal(pool.heldBytes(), given.byteLength);
});

Deno.test("createBufferPool adoptInUse: a buffer holding the subject's data is never handed out before it is released", () => {
  const pool = createBufferPool(300 * MiB);
  const read = new ArrayBuffer(pooledSize(40 * MiB));
  pool.adoptInUse(read);
  assert.equal(pool.heldBytes(), read.byteLength);
  // A step asking for the same size gets a new buffer, not the one holding the input.
  const out = pool.acquire(40 * MiB);
  assert.notEqual(out, read);
  // Once the input is no longer live, the next step reuses it …
  pool.releaseExcept(new Set([out]));
  assert.equal(pool.acquire(40 * MiB), read);
  // … and after the subject it is a free buffer like any other.
  pool.releaseAll();
  assert.equal(pool.heldBytes(), read.byteLength + out.byteLength);
  // Over the cap it is not kept; tiny ones are not pooled.
  pool.adoptInUse(new ArrayBuffer(290 * MiB));
  pool.adoptInUse(new ArrayBuffer(1024));
  assert.equal(pool.heldBytes(), read.byteLength + out.byteLength);
});
