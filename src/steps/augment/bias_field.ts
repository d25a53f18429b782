import { z } from "zod";
import { defineTransform, probability } from "./augment_transform.ts";
import { drawIn, rangeSchema, toRange } from "./ranges.ts";

const params = z.object({
  coefficients: rangeSchema().default(0.5).describe(
    "Range of each polynomial coefficient: v means [-v, v], or [lo, hi]",
  ),
  order: z.number().int().min(0).max(6).default(3).describe(
    "Polynomial order: terms x^i y^j z^k with i + j + k <= order, on voxel coordinates scaled to [-1, 1]",
  ),
  p: probability,
}).strict();

/** The exponents (i, j, k) of a polynomial of `order`, in coefficient order. */
export function biasTerms(order: number): [number, number, number][] {
  const out: [number, number, number][] = [];
  for (let i = 0; i <= order; i++) {
    for (let j = 0; j <= order - i; j++) {
      for (let k = 0; k <= order - i - j; k++) out.push([i, j, k]);
    }
  }
  return out;
}

const coord = (i: number, n: number) => (n > 1 ? (2 * i) / (n - 1) - 1 : 0);

/** MRI bias field (TorchIO RandomBiasField): v ↦ v·exp(Σ c_ijk x^i y^j z^k). */
export const biasField = defineTransform({
  name: "bias-field",
  summary: "Smooth multiplicative polynomial bias field (MRI inhomogeneity)",
  kind: "intensity",
  params,
  draw(rng, p) {
    const r = toRange(p.coefficients);
    return { order: p.order, coefficients: biasTerms(p.order).map(() => drawIn(rng, r)) };
  },
  intensity(realized, image) {
    const order = realized.order as number, c = realized.coefficients as number[];
    const terms = biasTerms(order);
    if (c.length !== terms.length) {
      throw new Error(`Cannot replay "bias-field": expected ${terms.length} coefficients`);
    }
    const [nx, ny, nz] = image.grid.shape, o1 = order + 1;
    const a = new Float64Array(o1 * o1), b = new Float64Array(o1);
    const field = new Float64Array(nx * ny * nz);
    for (let k = 0, q = 0; k < nz; k++) {
      const z0 = coord(k, nz);
      a.fill(0);
      terms.forEach(([ti, tj, tk], t) => (a[ti * o1 + tj] += c[t] * z0 ** tk));
      for (let j = 0; j < ny; j++) {
        const y0 = coord(j, ny);
        b.fill(0);
        for (let ti = 0; ti < o1; ti++) {
          for (let tj = 0; tj < o1 - ti; tj++) b[ti] += a[ti * o1 + tj] * y0 ** tj;
        }
        for (let i = 0; i < nx; i++, q++) {
          const x0 = coord(i, nx);
          let s = 0;
          for (let ti = order; ti >= 0; ti--) s = s * x0 + b[ti];
          field[q] = Math.exp(s);
        }
      }
    }
    const d = image.data;
    for (let i = 0; i < d.length; i++) d[i] *= field[i % field.length];
  },
});
