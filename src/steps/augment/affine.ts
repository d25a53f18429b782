import { z } from "zod";
import { applyAffine, invertAffine, multiplyAffine } from "../../volume/affine.ts";
import { matrixOf } from "../../volume/transform.ts";
import { defineTransform, probability, triple } from "./augment_transform.ts";
import { axisRangeSchema, drawIn, toAxisRanges } from "./ranges.ts";

const params = z.object({
  rotate: axisRangeSchema().default(0).describe(
    "Rotation in degrees about the world x, y, z axes through the volume centre: v means [-v, v], or [lo, hi], or one [lo, hi] per axis; drawn per axis",
  ),
  scale: axisRangeSchema(0).default([1, 1]).describe(
    "Zoom factor along world x, y, z (> 1 enlarges the content): v means [1 - v, 1 + v], or [lo, hi], or one [lo, hi] per axis",
  ),
  isotropic: z.boolean().default(false).describe(
    "Draw one scale factor (from the x range) for all axes",
  ),
  translate: axisRangeSchema().default(0).describe(
    "Shift of the content in mm along world x, y, z: v means [-v, v], or [lo, hi], or one [lo, hi] per axis",
  ),
  p: probability,
}).strict().refine((p) => toAxisRanges(p.scale, 1).every((r) => r[0] > 0), {
  message: "Scale factors must be > 0",
  path: ["scale"],
});

const rad = (deg: number) => (deg * Math.PI) / 180;

function rotation(deg: readonly number[]): number[][] {
  const [a, b, c] = deg.map(rad);
  const rx = [[1, 0, 0, 0], [0, Math.cos(a), -Math.sin(a), 0], [0, Math.sin(a), Math.cos(a), 0]];
  const ry = [[Math.cos(b), 0, Math.sin(b), 0], [0, 1, 0, 0], [-Math.sin(b), 0, Math.cos(b), 0]];
  const rz = [[Math.cos(c), -Math.sin(c), 0, 0], [Math.sin(c), Math.cos(c), 0, 0], [0, 0, 1, 0]];
  const h = (m: number[][]) => [...m, [0, 0, 0, 1]];
  return multiplyAffine(h(rz), multiplyAffine(h(ry), h(rx)));
}

const shift = (t: readonly number[]) => [
  [1, 0, 0, t[0]],
  [0, 1, 0, t[1]],
  [0, 0, 1, t[2]],
  [0, 0, 0, 1],
];

/**
 * Rotates (R = Rz·Ry·Rx), zooms and shifts the content in world space about
 * the volume centre c: content at x moves to c + R·S·(x − c) + t. Built
 * through the affine, so it is world-correct for anisotropic and oblique grids.
 */
export const affine = defineTransform({
  name: "affine",
  summary: "Random rotation (degrees), zoom and shift (mm) about the volume centre in world space",
  kind: "spatial",
  params,
  draw(rng, p) {
    const rotate = toAxisRanges(p.rotate).map((r) => drawIn(rng, r));
    let scale = toAxisRanges(p.scale, 1).map((r) => drawIn(rng, r));
    if (p.isotropic) scale = [scale[0], scale[0], scale[0]];
    const translate = toAxisRanges(p.translate).map((r) => drawIn(rng, r));
    return { rotate, scale, translate };
  },
  spatial(realized, grid) {
    const rotate = triple(realized.rotate, "affine.rotate");
    const scale = triple(realized.scale, "affine.scale");
    const translate = triple(realized.translate, "affine.translate");
    const c = applyAffine(grid.affine, grid.shape.map((n) => (n - 1) / 2));
    const sInv = [0, 1, 2, 3].map((r) =>
      [0, 1, 2, 3].map((k) => (r !== k ? 0 : r < 3 ? 1 / scale[r] : 1))
    );
    const rT = invertAffine(rotation(rotate));
    // world pull-back: x = c + S⁻¹ Rᵀ (y − c − t)
    const back = multiplyAffine(
      shift(c),
      multiplyAffine(sInv, multiplyAffine(rT, shift(c.map((v, a) => -v - translate[a])))),
    );
    const voxel = multiplyAffine(invertAffine(grid.affine), multiplyAffine(back, grid.affine));
    return { grid, stage: { kind: "matrix", m: matrixOf(voxel) } };
  },
});
