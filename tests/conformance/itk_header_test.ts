/**
 * ITK reads medprep's sheared outputs honestly (issue 11 item 5a, SPEC §2): a sheared affine
 * has no exact qform, and a rigid approximation there would be read by ITK/SimpleITK/ANTs as a
 * different geometry. The real ITK 5.2 (../shared/tools/itk) must either refuse the file or
 * place it by the sform — never by the rigid approximation. Skipped with a notice without the
 * ITK binary (and the corpus case without ../shared).
 */
import assert from "node:assert/strict";
import { readNiftiSync } from "../../src/nifti/nifti_read.ts";
import { writeNiftiSync } from "../../src/nifti/nifti_write.ts";
import { type Affine, applyAffine } from "../../src/volume/affine.ts";
import { deriveQformParams, quaternionToMatrix } from "../../src/volume/quaternion.ts";
import type { Volume } from "../../src/volume/volume.ts";
import { makeVolume } from "../_volumes.ts";
import { CORPUS, HAVE_CORPUS, ITK_BINARY, runItk } from "./_itk.ts";

/** The affine a reader that trusts the closest-rotation qform would use (nibabel's quat2mat). */
function rigidAffine(a: Affine): number[][] {
  const q = deriveQformParams(a);
  const [b, c, d] = q.quatern;
  const r = quaternionToMatrix(Math.sqrt(Math.max(0, 1 - b * b - c * c - d * d)), b, c, d);
  const z = [q.zooms[0], q.zooms[1], q.zooms[2] * q.qfac];
  return [
    ...[0, 1, 2].map((i) => [r[i][0] * z[0], r[i][1] * z[1], r[i][2] * z[2], a[i][3]]),
    [0, 0, 0, 1],
  ];
}

const dist = (p: number[], q: number[]) => Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);

function checkItkReadsShear(name: string, vol: Volume) {
  const dir = Deno.makeTempDirSync({ prefix: "medprep-itk-shear-" });
  try {
    const path = `${dir}/${name}.nii.gz`;
    writeNiftiSync(path, vol);
    const far = vol.shape.map((n) => n - 1);
    const sformCorner = applyAffine(vol.affine, far);
    const rigidCorner = applyAffine(rigidAffine(vol.affine), far);
    assert.ok(dist(sformCorner, rigidCorner) > 1, `${name}: the test needs a visible shear`);
    // An identity resample (same size, nearest) reads and rewrites the geometry ITK saw.
    const run = runItk([
      path,
      `${dir}/itk.nii.gz`,
      "--size",
      ...vol.shape.map(String),
      "--interp",
      "nearest",
    ]);
    if (run.code !== 0) {
      assert.match(run.stderr, /orthonormal|ITK exception/i, `${name}: ${run.stderr}`);
      return;
    }
    const seen = readNiftiSync(`${dir}/itk.nii.gz`).volume.affine;
    const itkCorner = applyAffine(seen, far);
    assert.ok(
      dist(itkCorner, sformCorner) < 0.5 * dist(rigidCorner, sformCorner),
      `${name}: ITK put the far corner at ${itkCorner.map((v) => v.toFixed(2))}, ` +
        `the rigid qform's place (${rigidCorner.map((v) => v.toFixed(2))}), ` +
        `not the sform's (${sformCorner.map((v) => v.toFixed(2))})`,
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

Deno.test({
  name: "writeNifti sheared output: ITK 5.2 refuses it or uses the sform, never the rigid qform",
  ignore: !ITK_BINARY,
  fn() {
    const sheared = [[0.9, 0.35, 0, -20], [0, 1.1, 0.2, 10], [0.1, 0, 2.5, 5], [0, 0, 0, 1]];
    checkItkReadsShear("synthetic", makeVolume({ shape: [40, 30, 20], affine: sheared }));
  },
});

Deno.test({
  name: "writeNifti of the corpus shear.nii.gz: ITK 5.2 refuses it or uses the sform",
  ignore: !ITK_BINARY || !HAVE_CORPUS,
  fn() {
    const vol = readNiftiSync(new URL("shear.nii.gz", CORPUS).pathname).volume;
    checkItkReadsShear("shear", vol);
  },
});
