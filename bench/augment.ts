/**
 * Benchmark: `augment` on a 128³ float32 image + uint8 label (affine + elastic + noise), ms per
 * sample, next to the same transform done with scipy.ndimage.map_coordinates (order 1 image,
 * order 0 label, coordinates computed with numpy) in the same run, plus how far the two agree.
 * Run: `deno task bench augment` (needs --allow-read --allow-write --allow-run for /usr/bin/python3).
 */
import { augment } from "../src/steps/augment/augment.ts";
import { affine as affineTransform } from "../src/steps/augment/affine.ts";
import { deriveControlValues } from "../src/steps/augment/elastic.ts";
import type { Item, StepRecord, Subject } from "../src/steps/step.ts";
import { createVolume } from "../src/volume/volume.ts";
import { createDisplacementField } from "../src/volume/elastic.ts";
import { createCoordinateMap } from "../src/volume/transform.ts";

const N = 128;
const SAMPLES = 9;
const PYTHON = "/usr/bin/python3";
const PARAMS = augment.params.parse({
  transforms: [
    { affine: { rotate: 15, scale: [0.9, 1.1], translate: 5 } },
    { elastic: { maxDisplacement: 5, controlPoints: 7 } },
    { noise: { std: [5, 20] } },
  ],
});
const AFFINE = [[0.8, 0, 0, -50], [0, 0.8, 0, -40], [0, 0, 1.5, 20], [0, 0, 0, 1]];

function makeSubject(): Subject {
  const n = N * N * N, img = new Float32Array(n), lab = new Uint8Array(n);
  for (let k = 0, q = 0; k < N; k++) {
    for (let j = 0; j < N; j++) {
      for (let i = 0; i < N; i++, q++) {
        const r2 = (i - 64) ** 2 + (j - 60) ** 2 + (k - 70) ** 2;
        img[q] = 400 * Math.sin(i / 7) * Math.cos(j / 11) + 3 * k - (r2 < 900 ? 300 : 0);
        lab[q] = r2 < 900 ? (i > 64 ? 2 : 1) : 0;
      }
    }
  }
  const vol = (data: Float32Array | Uint8Array) =>
    createVolume({ shape: [N, N, N], data, affine: AFFINE });
  const item = (role: string, label: boolean, v: ReturnType<typeof vol>): Item => ({
    role,
    label,
    volume: v,
    inputDType: v.dtype,
    sourcePath: `${role}.nii`,
  });
  return {
    id: "bench",
    copy: 0,
    items: [item("image", false, vol(img)), item("label", true, vol(lab))],
  };
}

function apply(subject: Subject, seed: number, replay?: StepRecord) {
  return augment.apply!(subject, PARAMS, {
    subjectId: "bench",
    stepIndex: 1,
    copy: 0,
    seed,
    replay,
    warn() {},
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const PY = `
import sys, json, time
import numpy as np
from scipy import ndimage as nd
d = sys.argv[1]
cfg = json.load(open(d + "/cfg.json"))
n = cfg["n"]
img = np.fromfile(d + "/img.bin", dtype=np.float32).reshape(n, n, n)   # [z, y, x]
lab = np.fromfile(d + "/lab.bin", dtype=np.uint8).reshape(n, n, n)

def weights(size, pts):
    u = np.arange(size) * (pts - 3) / (size - 1) + 1
    f = np.minimum(np.floor(u), pts - 3)
    t = u - f
    w = np.zeros((size, pts))
    rows = np.arange(size)
    base = (f - 1).astype(int)
    for o, wt in enumerate([(1 - t) ** 3 / 6, (3 * t**3 - 6 * t**2 + 4) / 6,
                            (-3 * t**3 + 3 * t**2 + 3 * t + 1) / 6, t**3 / 6]):
        w[rows, base + o] = wt
    return w

def sample(s, noise):
    m = np.array(s["m"]).reshape(3, 4)
    p = s["points"]
    c = np.array(s["ctrl"]).reshape(p[2], p[1], p[0], 3)          # [cz, cy, cx, comp]
    wx, wy, wz = weights(n, p[0]), weights(n, p[1]), weights(n, p[2])
    t = np.tensordot(wz, c, axes=(1, 0))                           # [z, cy, cx, comp]
    t = np.tensordot(wy, t, axes=(1, 1))                           # [y, z, cx, comp]
    disp = np.tensordot(wx, t, axes=(1, 2))                        # [x, y, z, comp]
    disp = disp.transpose(2, 1, 0, 3)                              # [z, y, x, comp]
    z, y, x = np.meshgrid(np.arange(n), np.arange(n), np.arange(n), indexing="ij")
    px, py, pz = x + disp[..., 0], y + disp[..., 1], z + disp[..., 2]
    cx = m[0, 0] * px + m[0, 1] * py + m[0, 2] * pz + m[0, 3]
    cy = m[1, 0] * px + m[1, 1] * py + m[1, 2] * pz + m[1, 3]
    cz = m[2, 0] * px + m[2, 1] * py + m[2, 2] * pz + m[2, 3]
    coords = np.stack([cz, cy, cx])
    oi = nd.map_coordinates(img, coords, order=1, mode="constant", cval=s["fill"], output=np.float32)
    ol = nd.map_coordinates(lab, coords, order=0, mode="constant", cval=0)
    if noise:
        oi += np.random.default_rng(s["seed"]).normal(0, s["std"], oi.shape).astype(np.float32)
    return oi, ol

times = []
for s in cfg["samples"]:
    t0 = time.perf_counter()
    sample(s, True)
    times.append((time.perf_counter() - t0) * 1000)
oi, ol = sample(cfg["samples"][0], False)
oi.tofile(d + "/out_img.bin")
ol.tofile(d + "/out_lab.bin")
print(json.dumps({"ms": times}))
`;

interface PySample {
  m: number[];
  points: number[];
  ctrl: number[];
  fill: number;
  std: number;
  seed: number;
}

function describeForScipy(subject: Subject, record: StepRecord): PySample {
  const [aff, ela, noi] = record.transforms as Record<string, unknown>[];
  const grid = { shape: [N, N, N] as const, affine: AFFINE };
  const stage = affineTransform.spatial!(aff, grid).stage;
  const points = ela.controlPoints as [number, number, number];
  const ctrl = deriveControlValues(
    ela.seed as number,
    points,
    ela.maxDisplacement as [number, number, number],
    grid,
    (ela.lockedBorders as number | undefined) ?? 0,
  );
  return {
    m: stage?.kind === "matrix" ? [...stage.m] : [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0],
    points,
    ctrl: [...ctrl],
    fill: (record.fill as Record<string, number>).image,
    std: noi.fired ? noi.std as number : 0,
    seed: subject.items.length,
  };
}

/** Runs the benchmark and prints ms per sample for medprep and scipy. */
export default async function main(): Promise<void> {
  const subject = makeSubject();
  for (let s = 0; s < 4; s++) apply(subject, 1000 + s); // warm-up (JIT)
  const ours: number[] = [];
  const records: StepRecord[] = [];
  for (let s = 0; s < SAMPLES; s++) {
    const t0 = performance.now();
    const r = apply(subject, s);
    ours.push(performance.now() - t0);
    records.push(r.record!);
  }
  const dir = await Deno.makeTempDir({ prefix: "medprep-bench-augment-" });
  try {
    const [img, lab] = subject.items.map((it) => it.volume.data);
    await Deno.writeFile(
      `${dir}/img.bin`,
      new Uint8Array(img.buffer, img.byteOffset, img.byteLength),
    );
    await Deno.writeFile(`${dir}/lab.bin`, new Uint8Array(lab.buffer));
    const cfg = { n: N, samples: records.map((r) => describeForScipy(subject, r)) };
    await Deno.writeTextFile(`${dir}/cfg.json`, JSON.stringify(cfg));
    await Deno.writeTextFile(`${dir}/bench.py`, PY);
    const out = await new Deno.Command(PYTHON, { args: [`${dir}/bench.py`, dir] }).output();
    if (!out.success) throw new Error(`scipy run failed: ${new TextDecoder().decode(out.stderr)}`);
    const scipy = JSON.parse(new TextDecoder().decode(out.stdout)).ms as number[];
    // Agreement on sample 0 without noise (replayed from its record with noise switched off).
    const quiet = structuredClone(records[0]) as { transforms: { fired: boolean }[] };
    quiet.transforms[2].fired = false;
    const mine = apply(subject, 0, quiet as unknown as StepRecord).subject.items;
    const pyImg = new Float32Array((await Deno.readFile(`${dir}/out_img.bin`)).buffer);
    const pyLab = await Deno.readFile(`${dir}/out_lab.bin`);
    // Compare where every sample lies inside [0, N-1]: scipy's constant mode blends cval
    // over the outer half voxel, SPEC §3 clamps there instead.
    const s0 = cfg.samples[0];
    const field = createDisplacementField(
      [N, N, N],
      s0.points as [number, number, number],
      Float64Array.from(s0.ctrl),
    );
    const map = createCoordinateMap([N, N, N], [{ kind: "field", field }, {
      kind: "matrix",
      m: s0.m,
    }]);
    const xs = new Float64Array(N), ys = new Float64Array(N), zs = new Float64Array(N);
    let diff = 0, labSame = 0, interior = 0;
    const mi = mine[0].volume.data as Float32Array, ml = mine[1].volume.data as Uint8Array;
    for (let k = 0, q = 0; k < N; k++) {
      for (let j = 0; j < N; j++) {
        map.row(j, k, xs, ys, zs);
        for (let i = 0; i < N; i++, q++) {
          if (ml[q] === pyLab[q]) labSame++;
          const inside = [xs[i], ys[i], zs[i]].every((c) => c >= 0 && c <= N - 1);
          if (!inside) continue;
          interior++;
          diff = Math.max(diff, Math.abs(mi[q] - pyImg[q]));
        }
      }
    }
    const a = median(ours), b = median(scipy);
    console.log(
      `augment bench: ${N}³ float32 image + uint8 label, affine + elastic + noise, ${SAMPLES} samples`,
    );
    console.log(
      `  medprep  median ${a.toFixed(1)} ms/sample  (all: ${
        ours.map((x) => x.toFixed(0)).join(", ")
      })`,
    );
    console.log(
      `  scipy    median ${b.toFixed(1)} ms/sample  (all: ${
        scipy.map((x) => x.toFixed(0)).join(", ")
      })`,
    );
    console.log(`  speed-up ${(b / a).toFixed(2)}x (goal >= 3x)`);
    console.log(
      `  agreement (sample 0, no noise): image max |diff| ${diff.toExponential(2)} over the ${
        (100 * interior / mi.length).toFixed(1)
      }% of voxels sampled inside [0, N-1] (scipy's constant mode blends cval over the outer half voxel); labels equal on ${
        (100 * labSame / ml.length).toFixed(3)
      }% of voxels`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) await main();
