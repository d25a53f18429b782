/**
 * The chunked gzip writer (issue 15.1): standard gzip whatever the size, bytes that depend only
 * on the input and the level — not on how `write` is called, nor on whether a deflate helper
 * thread compressed half of the chunks, nor on a helper that fails — and a size within 0.5 % of
 * one zlib stream.
 */
import assert from "node:assert/strict";
import zlib from "node:zlib";
import { createHash } from "node:crypto";
import {
  deflateChunk,
  type DeflateHelper,
  deflateRoom,
  GZIP_CHUNK,
  gzipBytes,
  GzipWriter,
  setDeflateHelper,
} from "../../src/nifti/gzip_writer.ts";
import { type HelperBuffers, serveDeflateHelper } from "../../src/nifti/deflate_helper.ts";

/** Smooth CT-like int16 slices with noise (what the writer mostly sees). */
function volumeBytes(n: number, seed = 1): Uint8Array {
  const v = new Int16Array(Math.ceil(n / 2));
  let s = seed;
  for (let i = 0; i < v.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    const x = i % 224, y = Math.floor(i / 224) % 224;
    v[i] = Math.round(800 * Math.sin(x / 17) * Math.cos(y / 23)) + ((s >>> 16) % 40) - 1000;
  }
  return new Uint8Array(v.buffer, 0, n);
}

/** Large byte arrays compared by hash (a failing deepEqual would print megabytes). */
const sha = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

function gzipWith(data: Uint8Array, slice: number, level = 6): Uint8Array {
  const parts: Uint8Array[] = [];
  const w = new GzipWriter((b) => parts.push(b.slice()), level);
  for (let o = 0; o < data.length; o += slice) w.write(data.subarray(o, o + slice));
  w.finish();
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) out.set(p, (o += p.length) - p.length);
  return out;
}

const SIZES = [
  0,
  1,
  32767,
  GZIP_CHUNK - 1,
  GZIP_CHUNK,
  GZIP_CHUNK + 1,
  2 * GZIP_CHUNK,
  2 * GZIP_CHUNK + 1,
  3 * GZIP_CHUNK + 16384,
  5 * GZIP_CHUNK + 12345,
];

Deno.test("GzipWriter: standard gzip at every size around the chunk cuts, whatever the write sizes", () => {
  for (const size of SIZES) {
    const data = volumeBytes(size, size);
    const one = gzipBytes(data);
    assert.equal(sha(zlib.gunzipSync(one)), sha(data), `size ${size}`);
    for (const slice of [777, 32769, GZIP_CHUNK + 3]) {
      if (slice >= size && size > 0) continue;
      assert.equal(sha(gzipWith(data, slice)), sha(one), `size ${size}, writes of ${slice}`);
    }
  }
});

Deno.test("GzipWriter: zlib's header for the level (mtime 0, no name, XFL, OS 3) and the trailer", () => {
  const data = volumeBytes(3000);
  for (const [level, xfl] of [[1, 4], [6, 0], [9, 2], [0, 4]]) {
    const gz = gzipBytes(data, level);
    assert.deepEqual([...gz.subarray(0, 10)], [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, xfl, 3]);
    assert.deepEqual([...gz.subarray(0, 10)], [...zlib.gzipSync(data, { level }).subarray(0, 10)]);
    const tail = new DataView(gz.buffer, gz.byteOffset + gz.length - 8);
    assert.equal(tail.getUint32(4, true), data.length);
  }
  assert.throws(() => new GzipWriter(() => {}, 10), RangeError);
});

Deno.test("GzipWriter: within 0.5 % of one zlib stream on CT-like data", () => {
  const data = volumeBytes(9 * GZIP_CHUNK + 100);
  const ours = gzipBytes(data).length, zlibs = zlib.gzipSync(data, { level: 6 }).length;
  assert.ok(ours <= zlibs * 1.005, `${ours} vs ${zlibs}`);
});

Deno.test("GzipWriter: the layout is pinned (every output hash depends on it)", () => {
  const data = volumeBytes(2 * GZIP_CHUNK + 5000, 7);
  assert.equal(sha(gzipBytes(data)), PINNED);
});

/** A helper on this thread that counts, or fails in the given way. */
function fakeHelper(mode: "ok" | "refuse" | "fail"): DeflateHelper & { started: number } {
  let pending: Uint8Array | null = null;
  const h = {
    started: 0,
    start(chunk: Uint8Array, level: number, final: boolean) {
      if (mode === "refuse") return false;
      h.started++;
      const out = new Uint8Array(deflateRoom(chunk.length));
      pending = out.subarray(0, deflateChunk(chunk, level, final, out));
      return true;
    },
    wait: () => (mode === "fail" ? null : pending),
  };
  return h;
}

Deno.test("GzipWriter: a helper's chunks, a helper that refuses and one that fails give the same bytes", () => {
  const data = volumeBytes(5 * GZIP_CHUNK + 12345, 3);
  const plain = gzipBytes(data);
  try {
    for (const mode of ["ok", "refuse", "fail"] as const) {
      const h = fakeHelper(mode);
      setDeflateHelper(h);
      assert.equal(sha(gzipBytes(data)), sha(plain), mode);
      if (mode !== "refuse") assert.equal(h.started, 3); // the first chunk of each pair
    }
  } finally {
    setDeflateHelper(undefined);
  }
});

Deno.test("deflate helper served by this thread: a writer on another thread gets the same bytes", async () => {
  const data = volumeBytes(6 * GZIP_CHUNK + 999, 5);
  const plain = gzipBytes(data);
  const gzipElsewhere = async (buffers: HelperBuffers) => {
    const worker = new Worker(new URL("./_gzip_writer_worker.ts", import.meta.url), {
      type: "module",
    });
    try {
      const reply = new Promise<{ bytes: Uint8Array; delivered: number }>((resolve, reject) => {
        worker.onmessage = (e) => resolve(e.data);
        worker.onerror = (e) => reject(new Error(e.message));
      });
      worker.postMessage({ buffers, data });
      return await reply;
    } finally {
      worker.terminate();
    }
  };
  const helper = serveDeflateHelper();
  try {
    const served = await gzipElsewhere(helper.buffers);
    assert.equal(sha(served.bytes), sha(plain));
    // This thread was idle: it compressed the first chunk of some pairs (3 pairs here).
    assert.ok(served.delivered >= 1 && served.delivered <= 3, `${served.delivered}`);
  } finally {
    helper.stop();
  }
  // Stopped: the writer takes every chunk back and writes the same bytes alone.
  const stopped = await gzipElsewhere(helper.buffers);
  assert.equal(sha(stopped.bytes), sha(plain));
  assert.equal(stopped.delivered, 0);
});

/** sha256 of the test input above as this layout writes it (zlib of Deno 2.9.5). */
const PINNED = "34a6bc76a1e93f196ada0d33f79027efeda9acde2073f53435bbcb619a3b2a1c";
