/**
 * resample-to-reference against nibabel's `resample_from_to` (Debian /usr/bin/python3, scipy
 * `affine_transform`, mode='constant', cval=0) on corpus files with different grids: oblique onto
 * axis-aligned, sheared, axis-permuted, 4D, labels (order 0). ITK's parity tool has no
 * reference-grid mode, so nibabel is the reference here.
 *
 * Boundary handling differs by design and is excluded from the value comparison: medprep samples
 * the field of view [−0.5, N − 0.5] with edge-clamped neighbours (SPEC §3), scipy's constant mode
 * interpolates against cval outside [0, N − 1]. Compared: every output voxel whose input
 * coordinates lie inside [0, N − 1] on all axes (values), and every voxel whose coordinates lie
 * outside [−1, N] on some axis (both give the fill, 0). Tolerances (plus 1 float32 ulp of the
 * value: results of ≤ 16-bit inputs are kept in float32): order 1 ≤ 1e-9 relative to the value
 * range; order 3 ≤ 1e-6 relative (scipy's constant-mode prefilter mirrors as ITK does,
 * so only float round-off differs); order 0 equal except at exact .5 ties of a coordinate
 * (≤ 0.1 % of voxels, each within 1e-6 voxel of a tie).
 */
import assert from "node:assert/strict";
import { readNiftiSync } from "../../../src/nifti/nifti_read.ts";
import { resampleToReference } from "../../../src/steps/spatial/resample_to_reference.ts";
import type { Volume } from "../../../src/volume/volume.ts";
import { realValues } from "../../../src/volume/stats.ts";
import { ontoMatrix } from "../../../src/volume/resample_onto.ts";
import { itemOf, makeContext, makeSubject, makeVolume, obliqueAffine } from "../../_volumes.ts";

const PYTHON = "/usr/bin/python3";
const HELPER = new URL("./_resample_from_to.py", import.meta.url).pathname;
const CORPUS = new URL("../../../../shared/corpus/", import.meta.url);

const HAVE_NIBABEL = (() => {
  try {
    return new Deno.Command(PYTHON, {
      args: ["-c", "import nibabel.processing, scipy"],
      stderr: "null",
      stdout: "null",
    }).outputSync().success;
  } catch {
    return false;
  }
})();
const HAVE_CORPUS = (() => {
  try {
    return Deno.statSync(new URL("manifest.json", CORPUS)).isFile;
  } catch {
    return false;
  }
})();
if (!HAVE_NIBABEL || !HAVE_CORPUS) {
  console.warn("NOTICE: nibabel or ../shared/corpus absent: resample_from_to comparisons SKIPPED");
}

function nibabel(
  from: string,
  to: string,
  order: number,
): { values: Float64Array; zone: Uint8Array } {
  const dir = Deno.makeTempDirSync();
  try {
    const out = `${dir}/r`;
    const r = new Deno.Command(PYTHON, {
      args: [HELPER, new URL(from, CORPUS).pathname, new URL(to, CORPUS).pathname, `${order}`, out],
      stdout: "piped",
      stderr: "piped",
    }).outputSync();
    if (!r.success) throw new Error(new TextDecoder().decode(r.stderr));
    const bytes = Deno.readFileSync(`${out}.f64`);
    return {
      values: new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8),
      zone: Deno.readFileSync(`${out}.zone`),
    };
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

const read = (name: string) => readNiftiSync(new URL(name, CORPUS).pathname).volume;

function allReal(v: Volume): Float64Array {
  const len = v.shape[0] * v.shape[1] * v.shape[2];
  const out = new Float64Array(len * v.frames);
  for (let t = 0; t < v.frames; t++) out.set(realValues(v, t), t * len);
  return out;
}

/** Distance of a coordinate's fractional part from .5 for every output voxel (nearest ties). */
function tieDistance(src: Volume, ref: Volume): Float64Array {
  const m = ontoMatrix(src, ref);
  const [nx, ny, nz] = ref.shape;
  const out = new Float64Array(nx * ny * nz);
  let o = 0;
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++, o++) {
        let best = Infinity;
        for (let r = 0; r < 3; r++) {
          const x = m[4 * r] * i + m[4 * r + 1] * j + m[4 * r + 2] * k + m[4 * r + 3];
          best = Math.min(best, Math.abs(x - Math.floor(x) - 0.5));
        }
        out[o] = best;
      }
    }
  }
  return out;
}

function compare(
  from: string,
  to: string,
  order: 0 | 1 | 3,
  options: { label?: boolean } = {},
): void {
  const src = read(from), ref = read(to);
  const interpolation = order === 0 ? "nearest" : order === 1 ? "linear" : "bspline";
  const roles: Record<string, Volume> = options.label ? { label: src, ref } : { image: src, ref };
  const subject = makeSubject(roles, { labels: options.label ? ["label"] : [] });
  const params = resampleToReference.params.parse({ onto: "ref", interpolation });
  const out = resampleToReference.apply(subject, params, makeContext());
  const got = itemOf(out.subject, options.label ? "label" : "image").volume;
  assert.deepEqual([...got.shape], [...ref.shape]);
  assert.equal(got.frames, src.frames);
  assert.deepEqual(got.affine, ref.affine.map((r) => [...r]));
  const mine = allReal(got);
  const { values, zone } = nibabel(from, to, order);
  assert.equal(values.length, mine.length);
  const len = zone.length;
  let lo = Infinity, hi = -Infinity;
  for (const v of values) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  const tol = order === 1 ? 1e-9 * (hi - lo) : order === 3 ? 1e-6 * (hi - lo) : 0;
  const ties = order === 0 ? tieDistance(src, ref) : undefined;
  let compared = 0, outside = 0, tieMismatch = 0;
  for (let n = 0; n < mine.length; n++) {
    const z = zone[n % len];
    if (z === 0) {
      assert.equal(mine[n], 0, `voxel ${n} outside the field of view`);
      outside++;
    }
    if (z !== 2) continue;
    compared++;
    // results of ≤ 16-bit inputs are kept in float32 (SPEC §2, float32Keeping): 1 ulp on top
    const d = Math.abs(mine[n] - values[n]);
    if (d <= tol + 1.2e-7 * Math.abs(values[n])) continue;
    if (ties && ties[n % len] < 1e-6) {
      tieMismatch++;
      continue;
    }
    assert.fail(`${from} → ${to} order ${order}: voxel ${n}: ${mine[n]} vs nibabel ${values[n]}`);
  }
  assert.ok(compared > 1000, `only ${compared} voxels compared`);
  assert.ok(tieMismatch <= compared * 1e-3, `${tieMismatch} tie mismatches`);
  assert.ok(outside > 0 || zone.every((z) => z !== 0));
}

const corpusTest = (name: string, fn: () => void) =>
  Deno.test({ name, ignore: !HAVE_NIBABEL || !HAVE_CORPUS, fn });

corpusTest(
  "resampleToReference matches nibabel resample_from_to order 1: oblique FLAIR onto MNI 2 mm",
  () => {
    compare("FLAIR.nii.gz", "MNI152_T1_2mm.nii.gz", 1);
  },
);

corpusTest(
  "resampleToReference matches nibabel resample_from_to order 3: oblique FLAIR onto MNI 2 mm",
  () => {
    compare("FLAIR.nii.gz", "MNI152_T1_2mm.nii.gz", 3);
  },
);

corpusTest(
  "resampleToReference matches nibabel resample_from_to order 0 for labels: lesion onto MNI",
  () => {
    compare("lesion.nii.gz", "MNI152_T1_2mm.nii.gz", 0, { label: true });
  },
);

corpusTest(
  "resampleToReference matches nibabel: oblique int32 fmri onto the b0 grid (order 1, 3)",
  () => {
    compare("fmri.nii.gz", "sub-01_ses-01_dwi_desc-b0_dwi.nii.gz", 1);
    compare("fmri.nii.gz", "sub-01_ses-01_dwi_desc-b0_dwi.nii.gz", 3);
  },
);

corpusTest("resampleToReference matches nibabel with a sheared grid, both ways (order 1)", () => {
  compare("shear.nii.gz", "minimal.nii.gz", 1);
  compare("MNI152_T1_2mm.nii.gz", "shear.nii.gz", 1);
});

corpusTest("resampleToReference matches nibabel on a 4D input, frame by frame (order 1)", () => {
  compare("EPI_asc_CLEAR_201.nii", "MNI152_T1_2mm.nii.gz", 1);
});

corpusTest(
  "resampleToReference of axis-permuted grids (PIL onto SAR) reads whole voxels: equal to nibabel order 0 and 1",
  () => {
    compare("PIL.nii.gz", "SAR.nii.gz", 0);
    compare("PIL.nii.gz", "SAR.nii.gz", 1);
  },
);

Deno.test("resampleToReference onto the role's own grid is the identity, bit for bit, for every interpolation", () => {
  const image = makeVolume({ dtype: "int16", fn: (i, j, k) => i * 7 - j * 3 + k * 11 });
  const ref = makeVolume({ dtype: "uint8", fn: () => 1 });
  for (const interpolation of ["nearest", "linear", "bspline"]) {
    const params = resampleToReference.params.parse({ onto: "ref", interpolation });
    const out = resampleToReference.apply(makeSubject({ image, ref }), params, makeContext());
    const got = itemOf(out.subject, "image").volume;
    assert.equal(got.dtype, "int16");
    assert.deepEqual([...got.data], [...image.data]);
  }
});

Deno.test("resampleToReference puts a label onto the image's grid with nearest and fill 0, whatever interpolation says", () => {
  // label on a grid shifted by one voxel along x: image voxel i reads label voxel i + 1
  const affine = obliqueAffine();
  const shifted = affine.map((row) => [...row]);
  for (let r = 0; r < 3; r++) shifted[r][3] -= affine[r][0];
  const image = makeVolume({ affine, fn: () => 5 });
  const label = makeVolume({ affine: shifted, dtype: "uint8", fn: (i) => i + 1 });
  const params = resampleToReference.params.parse({
    onto: "image",
    interpolation: "bspline",
    fill: -7,
  });
  const out = resampleToReference.apply(makeSubject({ image, label }), params, makeContext());
  const got = itemOf(out.subject, "label").volume;
  assert.equal(got.dtype, "uint8");
  for (let n = 0; n < got.data.length; n++) {
    const i = n % 5;
    assert.equal(got.data[n], i < 4 ? i + 2 : 0); // the last column is outside: labels fill 0
  }
  assert.equal(itemOf(out.subject, "image").volume, image);
  assert.deepEqual(
    (out.record!.roles as Record<string, { interpolation: string }>).label.interpolation,
    "nearest",
  );
});

Deno.test("resampleToReference with dropOnto removes the grid-only role", () => {
  const image = makeVolume({ fn: (i) => i });
  const grid = makeVolume({ shape: [3, 4, 5], dtype: "uint8", fn: () => 0 });
  const params = resampleToReference.params.parse({ onto: "grid", dropOnto: true });
  const out = resampleToReference.apply(makeSubject({ image, grid }), params, makeContext());
  assert.deepEqual(out.subject.items.map((it) => it.role), ["image"]);
  assert.deepEqual([...out.subject.items[0].volume.shape], [3, 4, 5]);
  const planned = ["image", "grid"].map((role) => ({ role, label: false, from: role }));
  assert.deepEqual(resampleToReference.mapRoles!(planned, params).map((r) => r.role), ["image"]);
});

Deno.test("resampleToReference fails a subject whose role left alone is not on the target grid", () => {
  const image = makeVolume();
  const pet = makeVolume({ shape: [4, 4, 4] });
  const label = makeVolume({ shape: [3, 3, 3], dtype: "uint8", fn: () => 1 });
  const params = resampleToReference.params.parse({ onto: "image", roles: ["pet"] });
  assert.throws(
    () => resampleToReference.apply(makeSubject({ image, pet, label }), params, makeContext()),
    /Cannot leave role "label" as it is: it is not on the grid of role "image" \(shapes differ/,
  );
});

Deno.test("resampleToReference reads a reference file through the context and records its sha256 and grid", () => {
  const image = makeVolume({ fn: (i, j, k) => i + j + k });
  const target = makeVolume({ shape: [2, 3, 4], dtype: "uint8", fn: () => 0 });
  const params = resampleToReference.params.parse({ reference: "/refs/grid.nii.gz" });
  const asked: string[] = [];
  const ctx = {
    ...makeContext(),
    readVolume: (path: string) => {
      asked.push(path);
      return { volume: target, sha256: "ab".repeat(32) };
    },
  };
  const out = resampleToReference.apply(makeSubject({ image }), params, ctx);
  assert.deepEqual(asked, ["/refs/grid.nii.gz"]);
  assert.deepEqual([...itemOf(out.subject, "image").volume.shape], [2, 3, 4]);
  const ref = out.record!.reference as { path: string; sha256: string; shape: number[] };
  assert.equal(ref.sha256, "ab".repeat(32));
  assert.deepEqual(ref.shape, [2, 3, 4]);
  assert.deepEqual(resampleToReference.files!(params), ["/refs/grid.nii.gz"]);
  assert.equal(
    resampleToReference.resolveFiles!({ ...params, reference: "g.nii" }, "/recipes").reference,
    "/recipes/g.nii",
  );
});

Deno.test("resampleToReference params need exactly one of onto or reference", () => {
  assert.equal(resampleToReference.params.safeParse({}).success, false);
  assert.equal(
    resampleToReference.params.safeParse({ onto: "image", reference: "x.nii" }).success,
    false,
  );
  assert.equal(
    resampleToReference.params.safeParse({ reference: "x.nii", dropOnto: true }).success,
    false,
  );
  assert.equal(
    resampleToReference.params.safeParse({ onto: "image", roles: ["image"] }).success,
    false,
  );
});
