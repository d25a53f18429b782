import assert from "node:assert/strict";
import { reorient } from "../../../src/steps/spatial/reorient.ts";
import { readNiftiSync } from "../../../src/nifti/nifti_read.ts";
import { sha256Bytes } from "../../../src/nifti/hash.ts";
import { voxelBytes } from "../../../src/nifti/nifti_write.ts";
import { applyAffine, deriveOrientation, invertAffine } from "../../../src/volume/affine.ts";
import type { Volume } from "../../../src/volume/volume.ts";
import { itemOf, makeContext, makeSubject, makeVolume, obliqueAffine } from "../../_volumes.ts";

const PYTHON = "/usr/bin/python3";
const HELPER = new URL("./_nib_reorient.py", import.meta.url).pathname;
const CORPUS = new URL("../../../../shared/corpus/", import.meta.url);

function nibabelAvailable(): boolean {
  try {
    return new Deno.Command(PYTHON, { args: ["-c", "import nibabel"], stderr: "null" })
      .outputSync().code === 0;
  } catch {
    return false;
  }
}

function corpusFiles(): string[] {
  try {
    const m = JSON.parse(Deno.readTextFileSync(new URL("manifest.json", CORPUS)));
    return m.files.map((e: { file: string }) => new URL(e.file, CORPUS).pathname);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
}

const HAVE_NIB = nibabelAvailable();
const FILES = corpusFiles();
if (!HAVE_NIB || FILES.length === 0) {
  console.warn(
    "NOTICE: reorient nibabel corpus test SKIPPED (no /usr/bin/python3 nibabel or ../shared)",
  );
}

interface NibReorient {
  file: string;
  code: string;
  shape: number[];
  affine: number[][];
  sha256: string;
}

function reorientAll(vol: Volume, to: string) {
  const subject = makeSubject({ image: vol });
  const out = reorient.apply(subject, reorient.params.parse({ to }), makeContext());
  return { volume: itemOf(out.subject, "image").volume, record: out.record! };
}

const CODES = ["RAS", "LPS", "PIR", "SAL", "ILA"];

Deno.test({
  name:
    "reorient matches nibabel (as_closest_canonical, io_orientation + apply_orientation) on the corpus, bit for bit",
  ignore: !HAVE_NIB || FILES.length === 0,
  fn() {
    const volumes = new Map<string, Volume>();
    for (const f of FILES) {
      try {
        volumes.set(f, readNiftiSync(f, { flattenExtraDims: true }).volume);
      } catch { /* unsupported types (complex) are covered by the corpus test */ }
    }
    const jobs = [...volumes.keys()].map((file) => ({ file, codes: CODES }));
    const out = new Deno.Command(PYTHON, { args: [HELPER], stdin: "piped", stdout: "piped" })
      .spawn();
    const w = out.stdin.getWriter();
    w.write(new TextEncoder().encode(JSON.stringify(jobs)));
    w.close();
    return out.output().then((o) => {
      assert.ok(o.success, "nibabel helper failed");
      const rows: NibReorient[] = new TextDecoder().decode(o.stdout).trim().split("\n").map((l) =>
        JSON.parse(l)
      );
      assert.equal(rows.length, volumes.size * CODES.length);
      let oblique = 0, sheared = 0;
      for (const r of rows) {
        const vol = volumes.get(r.file)!;
        const name = `${r.file.split("/").pop()} → ${r.code}`;
        const { volume, record } = reorientAll(vol, r.code);
        const shape = volume.frames > 1 ? [...volume.shape, volume.frames] : [...volume.shape];
        assert.deepEqual(shape, r.shape, `${name}: shape`);
        assert.equal(deriveOrientation(volume.affine), r.code, `${name}: orientation`);
        for (let i = 0; i < 4; i++) {
          for (let j = 0; j < 4; j++) {
            const d = Math.abs(volume.affine[i][j] - r.affine[i][j]);
            assert.ok(d <= 1e-9 * (1 + Math.abs(r.affine[i][j])), `${name}: affine[${i}][${j}]`);
          }
        }
        assert.equal(volume.dtype, vol.dtype, `${name}: storage type kept`);
        assert.equal(sha256Bytes(voxelBytes(volume)), r.sha256, `${name}: voxels differ`);
        assert.deepEqual([volume.slope, volume.inter], [vol.slope, vol.inter]);
        const rec = (record.roles as Record<string, { from: string; to: string }>).image;
        assert.equal(rec.from, deriveOrientation(vol.affine));
        assert.equal(rec.to, r.code);
        if (Math.abs(vol.affine[0][1]) + Math.abs(vol.affine[1][0]) > 1e-3) oblique++;
        if (r.file.endsWith("shear.nii.gz")) sheared++;
      }
      assert.ok(oblique > 0 && sheared > 0, "oblique and sheared files were compared");
    });
  },
});

Deno.test("reorient keeps every voxel's world position (4D, labels, oblique) and plan() agrees", () => {
  // LPS-like oblique grid: flip x and y of the oblique affine.
  const a = obliqueAffine().map((row, r) => r < 3 ? [-row[0], row[2], -row[1], row[3]] : row);
  const image = makeVolume({
    affine: a,
    frames: 3,
    dtype: "float32",
    fn: (i, j, k, t) => i + 7 * j + 31 * k + 0.5 * t,
  });
  const label = makeVolume({ affine: a, dtype: "uint8", fn: (i, j, k) => (i * j + k) % 4 });
  const subject = makeSubject({ image, label });
  const out = reorient.apply(subject, reorient.params.parse({}), makeContext());
  const img = itemOf(out.subject, "image").volume, lab = itemOf(out.subject, "label").volume;
  assert.equal(deriveOrientation(a), "LSP");
  assert.equal(deriveOrientation(img.affine), "RAS");
  assert.equal(img.frames, 3);
  assert.equal(lab.dtype, "uint8");
  const planned = reorient.plan!(image, reorient.params.parse({}));
  assert.deepEqual(planned.shape, img.shape);
  assert.deepEqual(planned.affine, img.affine);
  // Every output voxel holds the input voxel at the same world position (difference 0).
  const back = invertAffine(image.affine);
  const [mx, my, mz] = img.shape, [nx, ny] = image.shape;
  for (let t = 0; t < 3; t++) {
    for (let k = 0; k < mz; k++) {
      for (let j = 0; j < my; j++) {
        for (let i = 0; i < mx; i++) {
          const ijk = applyAffine(back, applyAffine(img.affine, [i, j, k])).map(Math.round);
          const src = ijk[0] + nx * (ijk[1] + ny * ijk[2]);
          const dst = i + mx * (j + my * k);
          assert.equal(
            img.data[t * mx * my * mz + dst],
            image.data[t * nx * ny * image.shape[2] + src],
          );
          if (t === 0) assert.equal(lab.data[dst], label.data[src]);
        }
      }
    }
  }
  const rec = (out.record!.roles as Record<string, unknown>).label;
  assert.deepEqual(rec, {
    from: "LSP",
    to: "RAS",
    order: [0, 2, 1],
    flip: [0, 1],
    inputShape: [5, 6, 7],
  });
});

Deno.test("reorient to the grid's own orientation returns the volume unchanged", () => {
  const image = makeVolume();
  const code = deriveOrientation(image.affine);
  const out = reorient.apply(
    makeSubject({ image }),
    reorient.params.parse({ to: code }),
    makeContext(),
  );
  assert.equal(itemOf(out.subject, "image").volume, image);
});

Deno.test("reorient params reject codes that are not one of R/L, A/P, S/I each", () => {
  for (const to of ["RAX", "RRS", "RA", "LPSI", "RLA"]) {
    const r = reorient.params.safeParse({ to });
    assert.equal(r.success, false, to);
  }
  assert.equal(reorient.params.parse({}).to, "RAS");
  assert.equal(reorient.params.parse({ to: "lps" }).to, "lps");
  const vol = makeVolume({ affine: [[1, 0, 0, 0], [0, 0, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]] });
  assert.throws(
    () => reorient.apply(makeSubject({ image: vol }), reorient.params.parse({}), makeContext()),
    /Cannot reorient a grid oriented "R\?S": a voxel axis has no direction/,
  );
});
