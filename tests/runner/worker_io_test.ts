/**
 * A worker's subject I/O with reads the main thread already made (issue 15.1, first_buffers.ts):
 * used once, only for a read with the same options, and their buffers belong to the subject.
 */
import assert from "node:assert/strict";
import { createWorkerIo } from "../../src/runner/worker_io.ts";
import { createBufferPool, pooledSize } from "../../src/runner/buffer_pool.ts";
import { readNiftiHashedPartsSync, readNiftiHashedSync } from "../../src/nifti/nifti_read.ts";
import { writeNiftiSync } from "../../src/nifti/nifti_write.ts";
import { createVolume } from "../../src/volume/volume.ts";
import type { FirstRead } from "../../src/runner/messages.ts";

const I: [number, number, number, number][] = [
  [2, 0, 0, -10],
  [0, 2, 0, 5],
  [0, 0, 3, 1],
  [0, 0, 0, 1],
];
const MiB = 1 << 20;

function withFile(body: (path: string, pool: ReturnType<typeof createBufferPool>) => void) {
  const dir = Deno.makeTempDirSync();
  try {
    const data = new Int16Array(128 * 128 * 40).map((_, i) => (i * 31) % 2000 - 1000);
    const path = `${dir}/ct.nii.gz`;
    writeNiftiSync(path, createVolume({ shape: [128, 128, 40], data, affine: I }));
    body(path, createBufferPool(1024 * MiB));
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

const preRead = (path: string, maxBytes: number): FirstRead => ({
  path,
  maxBytes,
  ...readNiftiHashedPartsSync(path, {
    maxBytes,
    allocate: (n) => new ArrayBuffer(pooledSize(n)),
  }),
});

Deno.test("createWorkerIo returns a preloaded read once, for the same path and options, without opening the file", () => {
  withFile((path, pool) => {
    const io = createWorkerIo(pool);
    const expected = readNiftiHashedSync(path, { maxBytes: 64 * MiB });
    const read = preRead(path, 64 * MiB);
    io.preload([read]);
    Deno.removeSync(path); // only the preloaded read can answer now
    const got = io.read(path, { maxBytes: 64 * MiB });
    assert.equal(got.volume.data.buffer, read.buffer);
    assert.deepEqual(got.files, expected.files);
    assert.deepEqual(got.volume.data, expected.image.volume.data);
    assert.deepEqual(got.volume.affine, expected.image.volume.affine);
    // Used once: a second read goes to the (now missing) file.
    assert.throws(() => io.read(path, { maxBytes: 64 * MiB }), /ct\.nii\.gz/);
  });
});

Deno.test("createWorkerIo reads the file when the options differ, and forgets unused reads when cleared", () => {
  withFile((path, pool) => {
    const io = createWorkerIo(pool);
    io.preload([preRead(path, 64 * MiB)]);
    // Another memory guard: the worker's own read applies it (and reports in its words).
    assert.throws(() => io.read(path, { maxBytes: 1000 }), /ct\.nii\.gz/);
    assert.notEqual(io.read(path, { maxBytes: 32 * MiB }).volume.data.length, 0);
    // Another pairing is not the same read either: the worker reads the pair it was given (here
    // a header that does not exist), where the preloaded read would have succeeded.
    assert.throws(() => io.read(path, { maxBytes: 64 * MiB, pairedWith: `${path}.hdr` }), /\.hdr/);
    assert.notEqual(io.read(path, { maxBytes: 64 * MiB }).volume.data.length, 0);
    io.preload([preRead(path, 64 * MiB)]);
    io.clearPreloaded();
    Deno.removeSync(path);
    assert.throws(() => io.read(path, { maxBytes: 64 * MiB }), /ct\.nii\.gz/);
  });
});

Deno.test("createWorkerIo: a preloaded read's buffer is the subject's until the pool releases it", () => {
  withFile((path, pool) => {
    const io = createWorkerIo(pool);
    const read = preRead(path, 64 * MiB);
    io.preload([read]);
    const volume = io.read(path, { maxBytes: 64 * MiB }).volume;
    // A step output of the same size must not land in the input's buffer.
    assert.notEqual(pool.acquire(volume.data.byteLength), read.buffer);
    pool.releaseAll();
    assert.equal(pool.acquire(volume.data.byteLength), read.buffer);
  });
});
