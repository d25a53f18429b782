/**
 * The demo data of the example recipes pipelines/nnunet-ct.yaml and
 * pipelines/brats-multimodal.yaml (issue 12 item 11), small enough to run in seconds:
 * - `ct/`: three CT phantoms (int16 HU, stored LPS like DICOM-derived NIfTI, anisotropic
 *   0.8 × 0.8 × 2.5 mm, different sizes) whose reconstruction circle is surrounded by 0 (what
 *   "crop to nonzero" removes), with label maps (uint8: 1 organ, 2 tumour);
 * - `brats/`: three four-modality MR phantoms (t1, t1ce, t2, flair; float32, 1 mm, LPS),
 *   background 0 outside the head, a brain mask (uint8 0/1) and BraTS labels (uint8: 1
 *   necrotic core, 2 oedema, 4 enhancing tumour).
 * Deterministic: the same bytes on every machine.
 */
import { createRng } from "../src/random/rng.ts";
import { writeNiftiSync } from "../src/nifti/nifti_write.ts";
import { createVolume } from "../src/volume/volume.ts";

const META = { qformCode: 1, sformCode: 1, descrip: "medprep demo phantom" };

/** LPS storage (i → left, j → posterior, k → superior), voxel centre at world (0, 0, 0). */
function lpsAffine(shape: number[], spacing: number[]): number[][] {
  const [sx, sy, sz] = spacing;
  const c = shape.map((n) => (n - 1) / 2);
  return [
    [-sx, 0, 0, sx * c[0]],
    [0, -sy, 0, sy * c[1]],
    [0, 0, sz, -sz * c[2]],
    [0, 0, 0, 1],
  ];
}

/** Calls `fn(x, y, z, v)` for every voxel with normalised coordinates in [-1, 1]. */
function forEachVoxel(
  shape: number[],
  fn: (x: number, y: number, z: number, v: number) => void,
): void {
  const [nx, ny, nz] = shape;
  let v = 0;
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++, v++) {
        fn((i / (nx - 1)) * 2 - 1, (j / (ny - 1)) * 2 - 1, (k / (nz - 1)) * 2 - 1, v);
      }
    }
  }
}

const CT = [
  { id: "ct001", shape: [56, 48, 20], centre: [0.15, -0.1, 0.1] },
  { id: "ct002", shape: [60, 52, 18], centre: [-0.2, 0.05, -0.15] },
  { id: "ct003", shape: [52, 50, 22], centre: [0.05, 0.2, 0] },
];

/** Writes the CT set (images, labels, manifest.csv) into `dir`. */
export function writeCtSet(dir: string): void {
  Deno.mkdirSync(dir, { recursive: true });
  const rows = ["id,image,label"];
  for (const [n, p] of CT.entries()) {
    const count = p.shape[0] * p.shape[1] * p.shape[2];
    const ct = new Int16Array(count), lab = new Uint8Array(count);
    const rng = createRng(100 + n);
    forEachVoxel(p.shape, (x, y, z, v) => {
      let hu = -1000, label = 0;
      if (x * x + y * y > 0.8) hu = 0; // outside the reconstruction circle
      else if ((x / 0.8) ** 2 + (y / 0.6) ** 2 <= 1) hu = 40 + rng.normal() * 15; // body
      else hu = -1000 + rng.normal() * 5;
      const [cx, cy, cz] = p.centre;
      if (((x - cx) / 0.35) ** 2 + ((y - cy) / 0.3) ** 2 + ((z - cz) / 0.8) ** 2 <= 1) {
        hu = 120 + rng.normal() * 10; // organ
        label = 1;
        if (((x - cx) / 0.12) ** 2 + ((y - cy) / 0.12) ** 2 + ((z - cz) / 0.3) ** 2 <= 1) {
          hu = 70 + rng.normal() * 10; // tumour
          label = 2;
        }
      }
      ct[v] = Math.round(hu);
      lab[v] = label;
    });
    const affine = lpsAffine(p.shape, [0.8, 0.8, 2.5]);
    const shape = p.shape as [number, number, number];
    writeNiftiSync(
      `${dir}/${p.id}_ct.nii.gz`,
      createVolume({ shape, data: ct, affine, meta: META }),
    );
    writeNiftiSync(
      `${dir}/${p.id}_label.nii.gz`,
      createVolume({ shape, data: lab, affine, meta: META }),
    );
    rows.push(`${p.id},${p.id}_ct.nii.gz,${p.id}_label.nii.gz`);
  }
  Deno.writeTextFileSync(`${dir}/manifest.csv`, rows.join("\n") + "\n");
}

const MODALITIES = ["t1", "t1ce", "t2", "flair"] as const;
/** Mean intensity per tissue (background brain, oedema, enhancing, necrosis) and modality. */
const TISSUE: Record<typeof MODALITIES[number], [number, number, number, number]> = {
  t1: [600, 500, 520, 300],
  t1ce: [620, 560, 1400, 350],
  t2: [400, 900, 700, 1100],
  flair: [350, 1000, 600, 500],
};

const BRATS = [
  { id: "brats001", shape: [48, 56, 44], tumour: [0.3, -0.2, 0.1] },
  { id: "brats002", shape: [52, 58, 40], tumour: [-0.3, 0.25, 0] },
  { id: "brats003", shape: [46, 54, 42], tumour: [0.1, 0.3, -0.2] },
];

/** Writes the four-modality MR set (modalities, brain mask, labels, manifest.csv) into `dir`. */
export function writeBratsSet(dir: string): void {
  Deno.mkdirSync(dir, { recursive: true });
  const rows = [`id,${MODALITIES.join(",")},brainmask,label`];
  for (const [n, p] of BRATS.entries()) {
    const count = p.shape[0] * p.shape[1] * p.shape[2];
    const images = MODALITIES.map(() => new Float32Array(count));
    const mask = new Uint8Array(count), lab = new Uint8Array(count);
    const rng = createRng(200 + n);
    forEachVoxel(p.shape, (x, y, z, v) => {
      if ((x / 0.85) ** 2 + (y / 0.9) ** 2 + (z / 0.85) ** 2 > 1) return; // air: 0
      const [tx, ty, tz] = p.tumour;
      const r = Math.sqrt(((x - tx) / 0.3) ** 2 + ((y - ty) / 0.3) ** 2 + ((z - tz) / 0.3) ** 2);
      const tissue = r <= 0.35 ? 3 : r <= 0.6 ? 2 : r <= 1 ? 1 : 0;
      mask[v] = 1;
      lab[v] = [0, 2, 4, 1][tissue];
      MODALITIES.forEach((m, c) => {
        images[c][v] = TISSUE[m][tissue] * (1 + 0.1 * x) + rng.normal() * 20;
      });
    });
    const affine = lpsAffine(p.shape, [1, 1, 1]);
    const shape = p.shape as [number, number, number];
    const files = MODALITIES.map((m, c) => {
      const file = `${p.id}_${m}.nii.gz`;
      writeNiftiSync(
        `${dir}/${file}`,
        createVolume({ shape, data: images[c], affine, meta: META }),
      );
      return file;
    });
    writeNiftiSync(
      `${dir}/${p.id}_brainmask.nii.gz`,
      createVolume({ shape, data: mask, affine, meta: META }),
    );
    writeNiftiSync(
      `${dir}/${p.id}_seg.nii.gz`,
      createVolume({ shape, data: lab, affine, meta: META }),
    );
    rows.push(`${p.id},${files.join(",")},${p.id}_brainmask.nii.gz,${p.id}_seg.nii.gz`);
  }
  Deno.writeTextFileSync(`${dir}/manifest.csv`, rows.join("\n") + "\n");
}
