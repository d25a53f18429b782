/**
 * Benchmark (issue 13.8): the statistics pass of a recipe with dataset statistics (nnU-Net CT:
 * pooled foreground mean/std and 0.5/99.5 percentiles, exact) over 20 CT-like int16 volumes with
 * labels, as `medprep fingerprint RECIPE --workers 2`, next to, in the same run:
 * - the read-only cost of the same files through the same machinery (a pass whose only need is
 *   the spacing: every file read and decoded, nothing computed) — goal: stats ≤ 1.3× read-only;
 * - a Python loop (nibabel + numpy, one process) computing the same exact statistics —
 *   goal: medprep ≥ 3× faster.
 * Prints the ratios, the load average before and after, and whether the numbers agree.
 * Run: `deno task bench fingerprint [--volumes 20] [--repeat 3]`.
 * Permissions: --allow-read, --allow-write (bench/.data), --allow-run (deno, /usr/bin/python3).
 */
import { writeNifti } from "../src/nifti/nifti_write.ts";
import { createVolume } from "../src/volume/volume.ts";
import { medprepCommand } from "../tests/cli/_run.ts";
import { measureChild, PYTHON } from "./_peer.ts";

const SHAPE: [number, number, number] = [224, 224, 112];
const DATA_DIR = new URL("./.data/fingerprint/", import.meta.url).pathname;

const STATS_RECIPE = `version: 1
name: bench-fingerprint
steps:
  - step: load
    labels: [label]
  - step: normalize
    method: zscore
    over: dataset
    mask: label
    clipPercentiles: [0.5, 99.5]
  - step: save
    name: "{id}_{role}.nii.gz"
`;

const READ_RECIPE = `version: 1
name: bench-read
steps:
  - step: load
    labels: [label]
  - step: resample-to-spacing
    spacing: median
  - step: save
    name: "{id}_{role}.nii.gz"
`;

const PY_LOOP = `
import sys, json, csv, numpy as np, nibabel as nib
rows = list(csv.DictReader(open(sys.argv[1])))
fg = []
for r in rows:
    ct = nib.load(r["image"]).get_fdata()
    lab = np.asanyarray(nib.load(r["label"]).dataobj)
    fg.append(ct[lab > 0])
pooled = np.concatenate(fg)
p = np.percentile(pooled, [0.5, 99.5])
print(json.dumps({"n": int(pooled.size), "mean": float(pooled.mean()), "std": float(pooled.std()),
                  "p0_5": float(p[0]), "p99_5": float(p[1])}))
`;

/** Writes the CT-like volumes (cached) and the manifest; returns the manifest path. */
async function ensureData(count: number): Promise<string> {
  Deno.mkdirSync(DATA_DIR, { recursive: true });
  const manifest = `${DATA_DIR}manifest-${count}.csv`;
  const rows = ["id,image,label"];
  const [nx, ny, nz] = SHAPE;
  for (let s = 0; s < count; s++) {
    const image = `${DATA_DIR}ct${s}.nii.gz`, label = `${DATA_DIR}seg${s}.nii.gz`;
    rows.push(`ct${s},${image},${label}`);
    try {
      Deno.statSync(label);
      continue;
    } catch { /* generate */ }
    const ct = new Int16Array(nx * ny * nz), seg = new Uint8Array(nx * ny * nz);
    let seed = 11 + s, n = 0;
    const cx = 0.1 * Math.sin(s), cy = 0.1 * Math.cos(s);
    for (let k = 0; k < nz; k++) {
      for (let j = 0; j < ny; j++) {
        for (let i = 0; i < nx; i++, n++) {
          const x = (i - nx / 2) / 100, y = (j - ny / 2) / 75, z = (k - nz / 2) / 60;
          const r = x * x + y * y + 0.3 * z * z;
          seed = (seed * 1103515245 + 12345) & 0x7fffffff;
          const noise = ((seed >> 16) % 61) - 30;
          let v = -1000 + noise;
          if (r < 1) v = (r > 0.85 ? 700 : 40) + noise;
          const o = ((x - cx) ** 2) / 0.1 + ((y - cy) ** 2) / 0.08 + (z * z) / 0.2;
          if (o < 1) {
            v = 90 + s + 2 * noise;
            seg[n] = o < 0.3 ? 2 : 1;
          }
          ct[n] = v;
        }
      }
    }
    const sp = [0.75 + 0.01 * (s % 5), 0.75 + 0.01 * (s % 5), 2 + 0.5 * (s % 3)];
    const affine = [[-sp[0], 0, 0, 90], [0, -sp[1], 0, 90], [0, 0, sp[2], -100], [0, 0, 0, 1]];
    await writeNifti(image, createVolume({ shape: SHAPE, data: ct, affine }), { level: 6 });
    await writeNifti(label, createVolume({ shape: SHAPE, data: seg, affine }), { level: 6 });
  }
  Deno.writeTextFileSync(manifest, rows.join("\n") + "\n");
  return manifest;
}

const loadavg = () => Deno.loadavg().map((x) => x.toFixed(2)).join(" ");

/** Runs the benchmark; returns 0 (1 when a run failed or the numbers disagree). */
export default async function main(args: string[]): Promise<number> {
  const arg = (name: string, fallback: number) => {
    const i = args.indexOf(name);
    return i >= 0 ? Number(args[i + 1]) : fallback;
  };
  const volumes = arg("--volumes", 20), repeat = arg("--repeat", 3);
  const manifest = await ensureData(volumes);
  const work = Deno.makeTempDirSync({ prefix: "medprep-bench-fingerprint-" });
  try {
    Deno.writeTextFileSync(`${work}/stats.yaml`, STATS_RECIPE);
    Deno.writeTextFileSync(`${work}/read.yaml`, READ_RECIPE);
    Deno.writeTextFileSync(`${work}/loop.py`, PY_LOOP);
    const fingerprint = (recipe: string, out: string) =>
      medprepCommand([
        "fingerprint",
        `${work}/${recipe}`,
        "--manifest",
        manifest,
        "--out",
        `${work}/${out}`,
        "--workers",
        "2",
        "--quiet",
      ]);
    console.log(
      `bench fingerprint: ${volumes} CT-like int16 volumes ${
        SHAPE.join("x")
      } + uint8 labels (.nii.gz), best of ${repeat}; load average before: ${loadavg()}`,
    );
    const best = { stats: Infinity, read: Infinity, python: Infinity };
    let py = "";
    for (let r = 0; r < repeat; r++) {
      // Interleaved, so a change of load hits all three alike.
      const a = await measureChild(fingerprint("stats.yaml", "a"));
      const b = await measureChild(fingerprint("read.yaml", "b"));
      const c = await measureChild([PYTHON, `${work}/loop.py`, manifest]);
      for (const [name, x] of [["stats", a], ["read", b], ["python", c]] as const) {
        if (x.code !== 0) {
          console.error(`${name} failed (exit ${x.code}): ${x.stderr}`);
          return 1;
        }
        best[name] = Math.min(best[name], x.wallMs);
      }
      py = c.stdout;
    }
    const ours = JSON.parse(Deno.readTextFileSync(`${work}/a/dataset-stats.json`));
    const fg = ours.steps[0].stats.roles.image[0];
    const ref = JSON.parse(py);
    const agree = fg.n === ref.n && fg.percentiles["0.5"] === ref.p0_5 &&
      fg.percentiles["99.5"] === ref.p99_5 &&
      Math.abs(fg.mean - ref.mean) <= 1e-12 * Math.abs(ref.mean) &&
      Math.abs(fg.std - ref.std) <= 1e-12 * ref.std;
    const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    console.log(`statistics pass (medprep fingerprint, 2 workers): ${s(best.stats)}`);
    console.log(`read-only pass of the same files (same machinery):  ${s(best.read)}`);
    console.log(`python loop (nibabel + numpy, 1 process):           ${s(best.python)}`);
    console.log(
      `ratios: stats / read-only = ${
        (best.stats / best.read).toFixed(2)
      }× (goal ≤ 1.3×); python / stats = ${(best.python / best.stats).toFixed(2)}× (goal ≥ 3×)`,
    );
    console.log(
      `foreground voxels ${fg.n}: medprep mean ${fg.mean} std ${fg.std} p0.5 ${
        fg.percentiles["0.5"]
      } p99.5 ${fg.percentiles["99.5"]}; numpy ${ref.mean} ${ref.std} ${ref.p0_5} ${ref.p99_5}: ${
        agree ? "equal" : "DIFFERENT"
      }`,
    );
    console.log(`load average after: ${loadavg()}`);
    return agree ? 0 : 1;
  } finally {
    Deno.removeSync(work, { recursive: true });
  }
}
