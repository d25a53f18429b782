/**
 * The main thread's buffers for a worker's first subject (issue 15.1): sized as the worker's
 * pool sizes the reader's request, touched between event-loop turns, and handed over on `take`.
 */
import assert from "node:assert/strict";
import { fitsRequest, pooledSize } from "../../src/runner/buffer_pool.ts";
import {
  firstBuffersFor,
  inputVoxelBytes,
  prepareFirstBuffers,
  prepareFirstRead,
} from "../../src/runner/first_buffers.ts";
import { writeNiftiSync } from "../../src/nifti/nifti_write.ts";
import { readNiftiHashedSync } from "../../src/nifti/nifti_read.ts";
import { imageFromParts } from "../../src/nifti/nifti_image.ts";
import type { Job } from "../../src/runner/messages.ts";
import { createVolume } from "../../src/volume/volume.ts";

const I: [number, number, number, number][] = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [
  0,
  0,
  0,
  1,
]];

const MiB = 1 << 20;

/**
 * Runs `body` with a job over a .nii.gz, a .hdr/.img pair, a small .nii, a broken and a missing
 * file in a temporary folder (removed afterwards).
 */
async function withInputs(body: (job: Job, dir: string) => void | Promise<void>): Promise<void> {
  const dir = Deno.makeTempDirSync();
  try {
    await body(inputsIn(dir), dir);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

function inputsIn(dir: string): Job {
  const ramp = (n: number, make: (n: number) => Int16Array | Float32Array) => {
    const a = make(n);
    for (let i = 0; i < n; i++) a[i] = (i * 7919) % 4001 - 2000;
    return a;
  };
  const big = createVolume({
    shape: [128, 128, 40],
    data: ramp(655360, (n) => new Int16Array(n)),
    affine: I,
    slope: 0.5,
    inter: 3,
  });
  writeNiftiSync(`${dir}/big.nii.gz`, big);
  const frames = createVolume({
    shape: [64, 64, 64],
    data: ramp(262144, (n) => new Float32Array(n)),
    affine: I,
  });
  writeNiftiSync(`${dir}/f.nii`, frames);
  const nii = Deno.readFileSync(`${dir}/f.nii`);
  const header = nii.slice(0, 348);
  new DataView(header.buffer).setFloat32(108, 0, true);
  header.set([0x6e, 0x69, 0x31, 0], 344);
  Deno.writeFileSync(`${dir}/f.hdr`, header);
  Deno.writeFileSync(`${dir}/f.img`, nii.slice(352));
  writeNiftiSync(
    `${dir}/small.nii`,
    createVolume({ shape: [8, 8, 8], data: ramp(512, (n) => new Int16Array(n)), affine: I }),
  );
  Deno.writeTextFileSync(`${dir}/bad.nii`, "not a nifti");
  return {
    id: "s",
    row: 2,
    paths: {
      image: `${dir}/big.nii.gz`,
      other: `${dir}/f.hdr`,
      label: `${dir}/small.nii`,
      mask: `${dir}/bad.nii`,
      gone: `${dir}/missing.nii`,
    },
    pairs: { [`${dir}/f.hdr`]: `${dir}/f.img` },
  };
}

Deno.test("inputVoxelBytes: every input's voxel bytes from its header; small or unreadable ones left out", () =>
  withInputs((job) => {
    assert.deepEqual(inputVoxelBytes(job), [128 * 128 * 40 * 2, 64 * 64 * 64 * 4]);
  }));

Deno.test("prepareFirstBuffers: pool-sized zeroed buffers, touched until taken, within maxBytes", async () => {
  const sizes = [40 * MiB, 3 * MiB, 30 * MiB];
  const first = prepareFirstBuffers(sizes, { maxBytes: 50 * MiB });
  await new Promise((r) => setTimeout(r, 50));
  const { buffers, reads } = first.take();
  assert.deepEqual(reads, []);
  // 40 + 3 MiB (with the pool's headroom) fit 50 MiB; the third would not.
  assert.deepEqual(buffers.map((b) => b.byteLength), [pooledSize(40 * MiB), pooledSize(3 * MiB)]);
  for (const [i, b] of buffers.entries()) {
    assert.ok(fitsRequest(b.byteLength, sizes[i])); // the worker's pool hands it to the reader
    assert.ok(new Uint8Array(b).every((v) => v === 0));
  }
  // After take() nothing touches them any more: a transfer detaches them safely.
  structuredClone(buffers, { transfer: buffers });
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(buffers[0].byteLength, 0);
});

Deno.test("prepareFirstBuffers advises each buffer before touching it", () => {
  const seen: number[] = [];
  const first = prepareFirstBuffers([5 * MiB], {
    maxBytes: 1024 * MiB,
    advise: (b) => {
      seen.push(b.byteLength);
      return true;
    },
  });
  assert.deepEqual(seen, [pooledSize(5 * MiB)]);
  assert.equal(first.take().buffers.length, 1);
  assert.deepEqual(prepareFirstBuffers([], { maxBytes: 1 }).take(), { buffers: [], reads: [] });
});

Deno.test("prepareFirstRead reads each input as the worker would: same voxels, scaling, geometry and digests", async () => {
  await withInputs(async (job) => {
    const advised: number[] = [];
    const first = prepareFirstRead(job, {
      maxBytes: 1024 * MiB,
      advise: (b) => advised.push(b.byteLength) > 0,
    });
    await new Promise((r) => setTimeout(r, 50));
    const { buffers, reads } = first.take();
    assert.deepEqual(buffers, []);
    // The broken and the missing file are left to the worker, which reports them itself.
    assert.deepEqual(reads.map((r) => r.path), [job.paths.image, job.paths.other, job.paths.label]);
    for (const r of reads) {
      const pairedWith = job.pairs?.[r.path];
      assert.equal(r.pairedWith, pairedWith);
      assert.equal(r.maxBytes, 1024 * MiB);
      const expected = readNiftiHashedSync(r.path, { maxBytes: 1024 * MiB, pairedWith });
      const got = imageFromParts(r.description, r.buffer);
      assert.deepEqual(r.files, expected.files);
      assert.deepEqual(got.info, expected.image.info);
      assert.deepEqual(got.volume.shape, expected.image.volume.shape);
      assert.deepEqual(got.volume.affine, expected.image.volume.affine);
      assert.equal(got.volume.slope, expected.image.volume.slope);
      assert.equal(got.volume.inter, expected.image.volume.inter);
      assert.deepEqual(got.volume.data, expected.image.volume.data);
    }
    // Large voxel buffers are pool-sized (the worker's pool reuses them) and advised; a small
    // one is exact.
    assert.deepEqual(advised, [pooledSize(128 * 128 * 40 * 2), pooledSize(64 * 64 * 64 * 4)]);
    assert.deepEqual(reads.map((r) => r.buffer.byteLength), [...advised, 8 * 8 * 8 * 2]);
  });
});

Deno.test("prepareFirstRead stays within maxBytes and reads nothing once taken", async () => {
  await withInputs(async (job) => {
    // The first input (1.25 MiB of voxels) fits, the pair's 1 MiB would pass 2 MiB, the small one fits.
    const capped = prepareFirstRead(job, { maxBytes: 2 * MiB });
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(capped.take().reads.map((r) => r.path), [job.paths.image, job.paths.label]);
    const early = prepareFirstRead(job, { maxBytes: 1024 * MiB });
    assert.deepEqual(early.take(), { buffers: [], reads: [] });
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(early.take(), { buffers: [], reads: [] });
  });
});

Deno.test("firstBuffersFor with readFirst reads only the first worker's first job; the others get buffers", async () => {
  await withInputs(async (job, dir) => {
    const init = {
      recipe: { version: 1, name: "t", seed: 0, steps: [] },
      outDir: dir,
      stagingDir: dir,
      maxInputBytes: 1024 * MiB,
    };
    const prepare = firstBuffersFor(init, { readFirst: true });
    const first = prepare(job), second = prepare(job);
    await new Promise((r) => setTimeout(r, 50));
    const a = first.take(), b = second.take();
    assert.equal(a.reads.length, 3);
    assert.deepEqual(a.buffers, []);
    assert.deepEqual(b.reads, []);
    assert.equal(b.buffers.length, 2);
    const plain = firstBuffersFor(init)(job);
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(plain.take().reads, []);
  });
});
