/**
 * `medprep restore` end to end (issue 12 item 10): preprocess a label map with medprep, take an
 * output as the "prediction", restore it through the CLI and compare with the original: values
 * equal (exact where the resampling is invertible: integer factors with nearest, whole-voxel
 * shifts), header geometry identical to the input's as nibabel reads it (Debian /usr/bin/python3:
 * shape, affine, qform, sform, codes). `.npy` predictions (C order, channels-first, 2 channels)
 * restore to 4D with every channel equal to the NIfTI path's.
 */
import assert from "node:assert/strict";
import { readNiftiSync } from "../../src/nifti/nifti_read.ts";
import { writeNiftiSync } from "../../src/nifti/nifti_write.ts";
import { runBatch } from "../../src/runner/batch.ts";
import type { Affine } from "../../src/volume/affine.ts";
import type { Volume } from "../../src/volume/volume.ts";
import { makeVolume, obliqueAffine } from "../_volumes.ts";
import { runCli } from "./_run.ts";

const PYTHON = "/usr/bin/python3";
const HAVE_NIBABEL = (() => {
  try {
    return new Deno.Command(PYTHON, { args: ["-c", "import nibabel"], stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
})();

/** nibabel's view of a file's header geometry. */
function nibabelGeometry(path: string): unknown {
  const code = "import sys, json, nibabel as nib\n" +
    "i = nib.load(sys.argv[1]); h = i.header\n" +
    "print(json.dumps({'shape': list(i.shape), 'affine': i.affine.tolist(), " +
    "'qform': h.get_qform().tolist(), 'sform': h.get_sform().tolist(), " +
    "'codes': [int(h['qform_code']), int(h['sform_code'])], 'pixdim': h['pixdim'][1:4].tolist()}))";
  const r = new Deno.Command(PYTHON, { args: ["-c", code, path], stdout: "piped", stderr: "piped" })
    .outputSync();
  if (!r.success) throw new Error(new TextDecoder().decode(r.stderr));
  return JSON.parse(new TextDecoder().decode(r.stdout));
}

/** The affine moved by whole voxels along its own axes. */
const moved = (a: Affine, d: readonly number[]): number[][] =>
  a.map((row, r) =>
    r < 3
      ? row.map((v, c) => (c === 3 ? v + row[0] * d[0] + row[1] * d[1] + row[2] * d[2] : v))
      : [...row]
  );

/** Label blobs on a 9×8×7 oblique grid. */
function labelVolume(affine: Affine = obliqueAffine()): Volume {
  return makeVolume({
    shape: [9, 8, 7],
    dtype: "uint8",
    affine,
    fn: (i, j, k) => ((i - 4) ** 2 + (j - 3) ** 2 + (k - 3) ** 2 < 9 ? 1 : i > 6 && j < 3 ? 2 : 0),
  });
}

/** A minimal C-order .npy writer (test side), int16 little-endian. */
function npyBytes(shape: number[], values: Int16Array): Uint8Array {
  let header = `{'descr': '<i2', 'fortran_order': False, 'shape': (${shape.join(", ")},), }`;
  while ((10 + header.length + 1) % 64 !== 0) header += " ";
  header += "\n";
  const out = new Uint8Array(10 + header.length + values.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(values.buffer), 10 + header.length);
  return out;
}

async function preprocess(dir: string, recipe: string, manifest: string): Promise<void> {
  await Deno.writeTextFile(`${dir}/r.yaml`, recipe);
  await Deno.writeTextFile(`${dir}/m.csv`, manifest);
  const code = await runBatch({
    recipe: `${dir}/r.yaml`,
    manifest: `${dir}/m.csv`,
    out: `${dir}/out`,
    workers: 1,
    quiet: true,
    force: true,
    command: ["test"],
  });
  assert.equal(code, 0);
}

Deno.test("restore undoes resample-to-spacing (nearest, integer factor 2): the label map exactly, header geometry of the input (nibabel)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "medprep-restore-" });
  try {
    const label = labelVolume();
    const image = makeVolume({ shape: [9, 8, 7], affine: obliqueAffine() });
    writeNiftiSync(`${dir}/lab.nii.gz`, label, { level: 1 });
    writeNiftiSync(`${dir}/img.nii.gz`, image, { level: 1 });
    await preprocess(
      dir,
      "version: 1\nsteps:\n  - step: load\n    labels: [label]\n  - step: resample-to-spacing\n    spacing: [0.45, 0.55, 1.25]\n    interpolation: bspline\n  - step: save\n",
      "id,image,label\ns1,img.nii.gz,lab.nii.gz\n",
    );
    const pre = readNiftiSync(`${dir}/out/s1_label.nii.gz`).volume;
    assert.deepEqual([...pre.shape], [18, 16, 14]);
    const r = await runCli([
      "restore",
      `${dir}/out/s1_label.nii.gz`,
      "--provenance",
      `${dir}/out/provenance.json`,
      "--subject",
      "s1",
      "--role",
      "label",
      "-o",
      `${dir}/restored.nii.gz`,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /with nearest \(role "label" is a label map\)/);
    const back = readNiftiSync(`${dir}/restored.nii.gz`).volume;
    assert.equal(back.dtype, "uint8");
    assert.deepEqual([...back.data], [...label.data]);
    if (HAVE_NIBABEL) {
      assert.deepEqual(
        nibabelGeometry(`${dir}/restored.nii.gz`),
        nibabelGeometry(`${dir}/lab.nii.gz`),
      );
    }
    // An existing output is not replaced without --force; a bad subject is one line, exit 1.
    const again = await runCli([
      "restore",
      `${dir}/out/s1_label.nii.gz`,
      "--provenance",
      `${dir}/out/provenance.json`,
      "--subject",
      "s1",
      "-o",
      `${dir}/restored.nii.gz`,
    ]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /it exists \(add --force to replace it\)/);
    const bad = await runCli([
      "restore",
      `${dir}/out/s1_label.nii.gz`,
      "--provenance",
      `${dir}/out/provenance.json`,
      "--subject",
      "s9",
    ]);
    assert.equal(bad.code, 1);
    assert.equal(
      bad.stderr.trim(),
      'medprep: Cannot restore subject "s9": the provenance has no such subject (it has "s1")',
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("restore undoes resample-to-reference onto another grid: exact inside the image's field of view, 0 outside; .npy channels-first restores to 4D", async () => {
  const dir = await Deno.makeTempDir({ prefix: "medprep-restore-" });
  try {
    const affine = obliqueAffine();
    // the label is larger and starts 2 voxels before the image on x, 1 on y
    const label = labelVolume(moved(affine, [-2, -1, 0]));
    const image = makeVolume({ shape: [6, 6, 7], affine });
    writeNiftiSync(`${dir}/lab.nii.gz`, label, { level: 1 });
    writeNiftiSync(`${dir}/img.nii.gz`, image, { level: 1 });
    await preprocess(
      dir,
      "version: 1\nsteps:\n  - step: load\n    labels: [label]\n  - step: resample-to-reference\n    onto: image\n  - step: save\n",
      "id,image,label\ns1,img.nii.gz,lab.nii.gz\n",
    );
    const args = (pred: string, out: string) => [
      "restore",
      pred,
      "--provenance",
      `${dir}/out/provenance.json`,
      "--subject",
      "s1",
      "--role",
      "label",
      "-o",
      out,
    ];
    const r = await runCli(args(`${dir}/out/s1_label.nii.gz`, `${dir}/back.nii.gz`));
    assert.equal(r.code, 0, r.stderr);
    const back = readNiftiSync(`${dir}/back.nii.gz`).volume;
    assert.deepEqual([...back.shape], [9, 8, 7]);
    let n = 0;
    for (let k = 0; k < 7; k++) {
      for (let j = 0; j < 8; j++) {
        for (let i = 0; i < 9; i++, n++) {
          const inside = i >= 2 && i < 8 && j >= 1 && j < 7;
          assert.equal(back.data[n], inside ? label.data[n] : 0, `voxel ${i},${j},${k}`);
        }
      }
    }
    // the same prediction as (C, X, Y, Z) int16 .npy with a second channel = 2 × label
    const pre = readNiftiSync(`${dir}/out/s1_label.nii.gz`).volume;
    const [nx, ny, nz] = pre.shape;
    const values = new Int16Array(2 * nx * ny * nz);
    for (let c = 0; c < 2; c++) {
      for (let x = 0; x < nx; x++) {
        for (let y = 0; y < ny; y++) {
          for (let z = 0; z < nz; z++) {
            values[((c * nx + x) * ny + y) * nz + z] = (c + 1) *
              Number(pre.data[x + nx * (y + ny * z)]);
          }
        }
      }
    }
    await Deno.writeFile(`${dir}/pred.npy`, npyBytes([2, nx, ny, nz], values));
    const r2 = await runCli(args(`${dir}/pred.npy`, `${dir}/back4d.nii.gz`));
    assert.equal(r2.code, 0, r2.stderr);
    const back4d = readNiftiSync(`${dir}/back4d.nii.gz`).volume;
    assert.equal(back4d.frames, 2);
    assert.equal(back4d.dtype, "int16");
    const len = 9 * 8 * 7;
    for (let i = 0; i < len; i++) {
      assert.equal(back4d.data[i], back.data[i]);
      assert.equal(back4d.data[len + i], 2 * Number(back.data[i]));
    }
    if (HAVE_NIBABEL) {
      const g = nibabelGeometry(`${dir}/back4d.nii.gz`) as { shape: number[] };
      const want = nibabelGeometry(`${dir}/lab.nii.gz`) as { shape: number[] };
      assert.deepEqual({ ...g, shape: g.shape.slice(0, 3) }, want);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("restore undoes reorient + crop-foreground + resample-to-spacing (nearest): exact for an integer factor (upsampling ×2), ≥ 99 % equal after a lossy ×1.2 downsampling (99.06 %), header geometry of the input (nibabel)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "medprep-restore-" });
  try {
    // an LPS-like oblique grid (x and y flipped), so reorient to RAS permutes nothing but flips two axes
    const base = obliqueAffine([1.2, 0.9, 2]);
    const affine = base.map((row, r) => (r < 3 ? [-row[0], -row[1], row[2], row[3]] : [...row]));
    const shape: [number, number, number] = [30, 28, 20];
    const label = makeVolume({
      shape,
      dtype: "uint8",
      affine,
      fn: (i, j, k) =>
        (i - 12) ** 2 + (j - 14) ** 2 + ((k - 9) * 1.5) ** 2 < 36
          ? 1
          : (i - 20) ** 2 + (j - 9) ** 2 + ((k - 11) * 1.5) ** 2 < 25
          ? 2
          : 0,
    });
    writeNiftiSync(`${dir}/lab.nii.gz`, label, { level: 1 });
    for (
      const [spacing, exact] of [["[0.6, 0.45, 1]", true], ["[1.44, 1.08, 2.4]", false]] as const
    ) {
      await preprocess(
        dir,
        `version: 1\nsteps:\n  - step: load\n    labels: [label]\n  - step: reorient\n    to: RAS\n  - step: crop-foreground\n    of: label\n    margin: 1\n  - step: resample-to-spacing\n    spacing: ${spacing}\n    interpolation: nearest\n  - step: save\n`,
        "id,label\ns1,lab.nii.gz\n",
      );
      const prov = JSON.parse(await Deno.readTextFile(`${dir}/out/provenance.json`));
      assert.deepEqual(
        prov.subjects[0].steps.map((s: { name: string }) => s.name),
        ["reorient", "crop-foreground", "resample-to-spacing"],
      );
      const out = `${dir}/restored.nii.gz`;
      const r = await runCli([
        "restore",
        `${dir}/out/s1_label.nii.gz`,
        "--provenance",
        `${dir}/out/provenance.json`,
        "--subject",
        "s1",
        "-o",
        out,
        "--force",
      ]);
      assert.equal(r.code, 0, r.stderr);
      const back = readNiftiSync(out).volume;
      assert.deepEqual([...back.shape], shape);
      let same = 0;
      for (let n = 0; n < label.data.length; n++) if (back.data[n] === label.data[n]) same++;
      const fraction = same / label.data.length;
      if (exact) assert.equal(same, label.data.length, `factor 2: ${fraction}`);
      else assert.ok(fraction >= 0.99, `non-integer factor: only ${fraction} equal`);
      if (HAVE_NIBABEL) {
        assert.deepEqual(nibabelGeometry(out), nibabelGeometry(`${dir}/lab.nii.gz`));
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
