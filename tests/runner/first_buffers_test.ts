/**
 * The main thread's buffers for a worker's first subject (issue 15.1): sized as the worker's
 * pool sizes the reader's request, touched between event-loop turns, and handed over on `take`.
 */
import assert from "node:assert/strict";
import { fitsRequest, pooledSize } from "../../src/runner/buffer_pool.ts";
import { inputVoxelBytes, prepareFirstBuffers } from "../../src/runner/first_buffers.ts";
import { writeNiftiSync } from "../../src/nifti/nifti_write.ts";
import { createVolume } from "../../src/volume/volume.ts";

const I: [number, number, number, number][] = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [
  0,
  0,
  0,
  1,
]];

const MiB = 1 << 20;

Deno.test("inputVoxelBytes: every input's voxel bytes from its header; small or unreadable ones left out", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const big = createVolume({ shape: [128, 128, 40], data: new Int16Array(655360), affine: I });
    const frames = createVolume({ shape: [64, 64, 64], data: new Float32Array(262144), affine: I });
    const small = createVolume({ shape: [8, 8, 8], data: new Uint8Array(512), affine: I });
    writeNiftiSync(`${dir}/big.nii.gz`, big);
    // A .hdr/.img pair (magic "ni1", voxels from byte 0 of the .img).
    writeNiftiSync(`${dir}/f.nii`, frames);
    const nii = Deno.readFileSync(`${dir}/f.nii`);
    const header = nii.slice(0, 348);
    new DataView(header.buffer).setFloat32(108, 0, true);
    header.set([0x6e, 0x69, 0x31, 0], 344);
    Deno.writeFileSync(`${dir}/f.hdr`, header);
    Deno.writeFileSync(`${dir}/f.img`, nii.slice(352));
    writeNiftiSync(`${dir}/small.nii`, small);
    Deno.writeTextFileSync(`${dir}/bad.nii`, "not a nifti");
    const sizes = inputVoxelBytes({
      id: "s",
      row: 2,
      paths: {
        image: `${dir}/big.nii.gz`,
        other: `${dir}/f.hdr`,
        label: `${dir}/small.nii`,
        mask: `${dir}/bad.nii`,
        gone: `${dir}/missing.nii`,
      },
    });
    assert.deepEqual(sizes, [128 * 128 * 40 * 2, 64 * 64 * 64 * 4]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("prepareFirstBuffers: pool-sized zeroed buffers, touched until taken, within maxBytes", async () => {
  const sizes = [40 * MiB, 3 * MiB, 30 * MiB];
  const first = prepareFirstBuffers(sizes, { maxBytes: 50 * MiB });
  await new Promise((r) => setTimeout(r, 50));
  const buffers = first.take();
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
  assert.equal(first.take().length, 1);
  assert.deepEqual(prepareFirstBuffers([], { maxBytes: 1 }).take(), []);
});
