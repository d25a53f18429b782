/**
 * Test fixture for whole runs: synthetic NIfTI subjects (odd sizes, oblique anisotropic
 * affine, an int16 image and a uint8 label map each) written with the real writer, a CSV
 * manifest and a recipe using every step of the registry.
 */
import { writeNiftiSync } from "../../src/nifti/nifti_write.ts";
import { makeVolume } from "../_volumes.ts";

/** A recipe with every registry step (spatial, intensity, augment with 2 copies). */
export const ALL_STEPS_RECIPE = `version: 1
name: all-steps
seed: 42
steps:
  - step: load
    labels: [label]
  - step: reorient
    to: LPS
  - step: crop-foreground
    of: label
    margin: [1, 1, 20]
  - step: stack
    roles: [image]
  - step: relabel
    keep: [1, 2]
  - step: resample-to-size
    size: [11, 9, null]
    interpolation: bspline
    grid: origin
  - step: crop-or-pad
    size: [12, 9, null]
  - step: resample-to-spacing
    spacing: [1.2, 1.3, 1.9]
    antialias: true
  - step: resample-to-reference
    onto: image
    roles: [label]
  - step: clip
    percentiles: [1, 99]
    mask: nonzero
  - step: normalize
    method: zscore
    mask: nonzero
  - step: augment
    copies: 2
    transforms:
      - flip: { axes: [0], p: 0.5 }
      - affine: { rotate: [-10, 10], scale: [0.9, 1.1], translate: [-1, 1] }
      - elastic: { maxDisplacement: 1.5, controlPoints: 5 }
      - crop: { size: [8, 7, null] }
      - noise: { std: [0, 0.2] }
      - blur: { std: [0, 0.5] }
  - step: save
    name: "{id}/{role}_{copy}.nii.gz"
    compression: 1
`;

/** A fixture: directory with the inputs, a manifest and a recipe. */
export interface Dataset {
  dir: string;
  manifest: string;
  recipe: string;
  ids: string[];
}

/** Writes `count` subjects (shape 12×10×8 unless given) under a new temp dir. */
export async function createDataset(options: {
  count: number;
  shape?: [number, number, number];
  recipe?: string;
}): Promise<Dataset> {
  const dir = await Deno.makeTempDir({ prefix: "medprep-run-" });
  await Deno.mkdir(`${dir}/in`);
  const shape = options.shape ?? [12, 10, 8];
  const ids: string[] = [];
  const rows = ["id,image,label"];
  for (let n = 0; n < options.count; n++) {
    const id = `sub-${String(n + 1).padStart(2, "0")}`;
    ids.push(id);
    const [cx, cy, cz] = shape.map((s, a) => s / 2 + ((n * (a + 1)) % 3) - 1);
    const inside = (i: number, j: number, k: number) =>
      ((i - cx) / 4) ** 2 + ((j - cy) / 3.5) ** 2 + ((k - cz) / 3) ** 2 < 1;
    writeNiftiSync(
      `${dir}/in/${id}_ct.nii.gz`,
      makeVolume({
        shape,
        fn: (i, j, k) => inside(i, j, k) ? 40 + ((i * 7 + j * 13 + k * 3 + n) % 50) : -900 + n,
      }),
    );
    writeNiftiSync(
      `${dir}/in/${id}_seg.nii.gz`,
      makeVolume({ shape, dtype: "uint8", fn: (i, j, k) => inside(i, j, k) ? 1 + (i % 2) : 0 }),
    );
    rows.push(`${id},in/${id}_ct.nii.gz,in/${id}_seg.nii.gz`);
  }
  await Deno.writeTextFile(`${dir}/manifest.csv`, rows.join("\n") + "\n");
  await Deno.writeTextFile(`${dir}/recipe.yaml`, options.recipe ?? ALL_STEPS_RECIPE);
  return { dir, manifest: `${dir}/manifest.csv`, recipe: `${dir}/recipe.yaml`, ids };
}

/** Every file under `dir` (relative path → bytes), temp files included. */
export async function readTree(dir: string): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  const walk = async (rel: string) => {
    for await (const e of Deno.readDir(`${dir}/${rel}`)) {
      const path = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory) await walk(path);
      else out.set(path, await Deno.readFile(`${dir}/${path}`));
    }
  };
  await walk("");
  return out;
}

/** Provenance without what may differ between equivalent runs: times, command, abs paths. */
export function comparable(provenance: Record<string, unknown>): unknown {
  return JSON.parse(JSON.stringify(provenance, (key, value) => {
    if (["started", "finished", "ms", "command"].includes(key)) return undefined;
    if (key === "path" && typeof value === "string" && value.startsWith("/")) {
      return value.split("/").slice(-2).join("/");
    }
    return value;
  }));
}
