/**
 * The resample steps against the tools users come from (issue 11 items 7b, 7c): `grid: edge`
 * = TorchIO `Resample(spacing)` (a numpy transcription of its formula in _peers.py: TorchIO
 * cannot be installed here), and `antialias` + linear = scikit-image
 * `resize(anti_aliasing=True, mode='edge', clip=False)`. Skipped with a notice when
 * /usr/bin/python3 lacks numpy (TorchIO) or scikit-image.
 */
import assert from "node:assert/strict";
import { decodeNifti } from "../../../src/nifti/nifti_read.ts";
import { encodeNifti } from "../../../src/nifti/nifti_write.ts";
import { resampleToSize } from "../../../src/steps/spatial/resample_to_size.ts";
import { resampleToSpacing } from "../../../src/steps/spatial/resample_to_spacing.ts";
import type { Affine } from "../../../src/volume/affine.ts";
import type { Volume } from "../../../src/volume/volume.ts";
import { makeContext, makeSubject, makeVolume, obliqueAffine } from "../../_volumes.ts";
import { HAVE_SCIPY } from "../../volume/_scipy.ts";

const PYTHON = "/usr/bin/python3";
const HELPER = new URL("./_peers.py", import.meta.url).pathname;

const HAVE_SKIMAGE = HAVE_SCIPY && new Deno.Command(PYTHON, {
  args: ["-c", "import skimage.transform"],
  stdout: "null",
  stderr: "null",
}).outputSync().success;
if (!HAVE_SKIMAGE) {
  console.warn(
    `NOTICE: ${PYTHON} cannot import skimage; the scikit-image antialias test is SKIPPED`,
  );
}

async function runPeer(input: Record<string, unknown>): Promise<Record<string, unknown>> {
  const child = new Deno.Command(PYTHON, {
    args: [HELPER],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const w = child.stdin.getWriter();
  await w.write(new TextEncoder().encode(JSON.stringify(input)));
  await w.close();
  const o = await child.output();
  if (!o.success) throw new Error(`_peers.py failed: ${new TextDecoder().decode(o.stderr)}`);
  return JSON.parse(new TextDecoder().decode(o.stdout));
}

/** `volume` after a NIfTI write and read: float32 affine and pixdims, as from a real file. */
const throughHeader = (volume: Volume) => decodeNifti("x.nii", encodeNifti(volume)).volume;

const smooth = (i: number, j: number, k: number) =>
  100 * Math.sin(i * 0.41) + 30 * Math.cos(j * 0.23 + k * 0.5) + 3 * k;

Deno.test({
  name:
    "resampleToSpacing grid edge equals TorchIO Resample(spacing): size, affine, positions, linear values",
  ignore: !HAVE_SCIPY,
  async fn() {
    const diag: Affine = [[0.9, 0, 0, -3], [0, 1.1, 0, 5], [0, 0, 1.3, 7], [0, 0, 0, 1]];
    const cases: { shape: [number, number, number]; affine: Affine; spacing: number[] }[] = [
      { shape: [23, 19, 11], affine: obliqueAffine(), spacing: [1.4, 1.4, 1.4] },
      { shape: [23, 19, 11], affine: obliqueAffine(), spacing: [0.5, 2.0, 3.3] },
      { shape: [20, 1, 9], affine: obliqueAffine(), spacing: [0.7, 3, 1] }, // singleton kept
      // float32 pixdims from a header, halved: ceil sees their drift exactly as TorchIO does
      { shape: [30, 20, 10], affine: diag, spacing: [0.45, 0.55, 0.65] },
    ];
    for (const { shape, affine, spacing } of cases) {
      const input = throughHeader(
        makeVolume({ shape, affine, dtype: "float32", fn: smooth }),
      );
      const params = resampleToSpacing.params.parse({ spacing, grid: "edge" });
      const v = resampleToSpacing.apply!(makeSubject({ image: input }), params, makeContext())
        .subject.items[0].volume;
      const ref = await runPeer({
        op: "torchio",
        shape,
        affine: input.affine,
        spacing,
        data: Array.from(input.data as Float32Array),
      }) as { size: number[]; affine: number[][]; coords: number[][]; data: number[] };
      const label = `${shape} → ${spacing}`;
      assert.deepEqual([...v.shape], ref.size, `${label}: size`);
      assert.deepEqual(resampleToSpacing.plan!(input, params).shape, v.shape);
      for (let r = 0; r < 3; r++) {
        for (let c = 0; c < 4; c++) {
          assert.ok(Math.abs(v.affine[r][c] - ref.affine[r][c]) < 1e-9, `${label}: affine`);
        }
      }
      // Values: SPEC counts samples on (or within 1e-4 voxel of) the outer edge as inside,
      // ITK (under TorchIO) decides them by round-off — those voxels alone are not compared.
      const edgy = ref.coords.map((xs, a) =>
        xs.map((x) => Math.abs(x + 0.5) < 1e-4 || Math.abs(x - (shape[a] - 0.5)) < 1e-4)
      );
      const [mx, my] = ref.size;
      let compared = 0;
      for (let q = 0; q < ref.data.length; q++) {
        const p = [q % mx, Math.floor(q / mx) % my, Math.floor(q / (mx * my))];
        if (p.some((i, a) => edgy[a][i])) continue;
        const got = (v.data as Float32Array)[q];
        assert.ok(
          Math.abs(got - ref.data[q]) <= 1e-4 * 150,
          `${label}: voxel ${p}: ${got} vs TorchIO ${ref.data[q]}`,
        );
        compared++;
      }
      assert.ok(compared > 0.9 * ref.data.length, `${label}: compared ${compared}`);
    }
  },
});

Deno.test({
  name:
    "resampleToSize antialias + linear equals skimage resize(anti_aliasing=True, mode='edge', clip=False)",
  ignore: !HAVE_SKIMAGE,
  async fn() {
    const shape: [number, number, number] = [23, 19, 11];
    const input = makeVolume({ shape, dtype: "float32", fn: smooth });
    const data = Array.from(input.data as Float32Array);
    const sizes = [[9, 7, 11], [9, 25, 5], [4, 3, 2]];
    const refs = (await runPeer({ op: "skimage", shape, sizes, data }) as {
      results: { data: number[]; defaults: number[] }[];
    }).results;
    for (const [n, size] of sizes.entries()) {
      const params = resampleToSize.params.parse({
        size,
        antialias: true,
        interpolation: "linear",
      });
      const v = resampleToSize.apply!(makeSubject({ image: input }), params, makeContext())
        .subject.items[0].volume;
      const ref = refs[n];
      const got = v.data as Float32Array;
      assert.equal(got.length, ref.data.length);
      let worst = 0;
      for (let q = 0; q < got.length; q++) worst = Math.max(worst, Math.abs(got[q] - ref.data[q]));
      assert.ok(worst <= 1e-4 * 150, `size ${size}: max |medprep − skimage| = ${worst}`);
      // …and not scikit-image's defaults (mode='reflect', clip=True), which differ at the edges.
      let off = 0;
      for (let q = 0; q < got.length; q++) off = Math.max(off, Math.abs(got[q] - ref.defaults[q]));
      assert.ok(off > 0.1, `size ${size}: the defaults should differ (max ${off})`);
    }
  },
});
