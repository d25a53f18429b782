import assert from "node:assert/strict";
import {
  borrowFloats,
  clearScratchPool,
  pooledScratchBytes,
  releaseFloats,
  trimScratchPool,
} from "../../src/volume/scratch.ts";

Deno.test("trimScratchPool keeps the sizes borrowed since the last trim and drops the others", () => {
  clearScratchPool();
  try {
    const a = borrowFloats(false, 1000);
    releaseFloats(a);
    trimScratchPool(); // borrowed in this round: kept
    assert.equal(pooledScratchBytes(), 4000);
    const again = borrowFloats(false, 1000);
    assert.equal(again, a, "reused");
    releaseFloats(again);
    // A subject of another shape: its size is pooled, the old one was not borrowed this round.
    trimScratchPool();
    releaseFloats(borrowFloats(true, 300));
    trimScratchPool();
    assert.equal(pooledScratchBytes(), 2400);
    // Many shapes, one per subject: the pool never holds more than the last subject's sizes.
    for (let n = 1; n <= 50; n++) {
      releaseFloats(borrowFloats(false, 5000 + n));
      trimScratchPool();
      assert.equal(pooledScratchBytes(), 4 * (5000 + n));
    }
  } finally {
    clearScratchPool();
  }
});
