import assert from "node:assert/strict";
import { createBufferPool } from "../../src/runner/buffer_pool.ts";

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
