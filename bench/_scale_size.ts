/**
 * `bench scale --part a` (issue 15.3a): one subject, cubes of 64³ → 512³ int16 CT-like voxels
 * (.nii.gz, 1 mm, cached under bench/.data/scale-size/) through the real command — load →
 * resample-to-spacing 2 mm (×0.5 per axis, linear) → save .nii.gz, `run --workers 1` in a fresh
 * child — and a 16³ cube whose wall time and peak RSS are the fixed runtime cost. Prints time
 * and peak RSS per voxel above that fixed cost, their spread around the median (goal: flat
 * within ±25 %) and the exponent fitted to cost above fixed against voxels (1.0 = linear).
 * Permissions: read, write (bench/.data), run (/usr/bin/time, deno), env, sys.
 */
import { type ChildResult, mb, measureChild, medprepCommand } from "./_peer.ts";
import { fitExponent, spreadAroundMedian } from "./_fit.ts";
import { DATA_ROOT, ensureCtLike, loadNow } from "./_scale_data.ts";

const DIR = `${DATA_ROOT}scale-size`;
const TINY = 16;
const TOLERANCE = 0.25;

const RECIPE = `version: 1
name: scale-size
steps:
  - step: load
  - step: resample-to-spacing
    spacing: [2, 2, 2]
    interpolation: linear
  - step: save
    dtype: keep
`;

interface Measured {
  n: number;
  voxels: number;
  wall: number;
  rss: number;
}

/** Best wall time and lowest peak RSS of `reps` runs of the recipe on the n³ cube. */
async function measureCube(n: number, reps: number): Promise<Measured | string> {
  const input = `${DIR}/cube_${n}.nii.gz`;
  if (ensureCtLike(input, [n, n, n], [1, 1, 1], n)) console.log(`  (generated ${input})`);
  const out = `${DIR}/out-${n}`;
  const results: ChildResult[] = [];
  for (let r = 0; r < reps; r++) {
    await Deno.remove(out, { recursive: true }).catch(() => {});
    const cmd = ["run", `${DIR}/recipe.yaml`, "--input", input, "--out", out, "--workers", "1"];
    const result = await measureChild(medprepCommand([...cmd, "--quiet"]));
    if (result.code !== 0) return `exit ${result.code}: ${result.stderr.trim().split("\n")[0]}`;
    results.push(result);
  }
  await Deno.remove(out, { recursive: true }).catch(() => {});
  return {
    n,
    voxels: n ** 3,
    wall: Math.min(...results.map((r) => r.wallMs / 1000)),
    rss: Math.min(...results.map((r) => r.peakRss)),
  };
}

/** Runs part (a); returns the number of goals not met (or that could not be measured). */
export async function runSizePart(args: string[]): Promise<number> {
  const sizesArg = args.find((a) => a.startsWith("--sizes="))?.slice(8);
  const sizes = sizesArg ? sizesArg.split(",").map(Number) : [64, 128, 256, 384, 512];
  const reps = Number(args.find((a) => a.startsWith("--reps="))?.slice(7) ?? 3);
  Deno.mkdirSync(DIR, { recursive: true });
  Deno.writeTextFileSync(`${DIR}/recipe.yaml`, RECIPE);
  console.log(
    `\n(a) one subject, int16 cubes ${sizes.join(", ")} (and ${TINY}³ = fixed cost), ` +
      `load → resample-to-spacing 2 mm linear → save .nii.gz, run --workers 1, ` +
      `best of ${reps}; load ${loadNow()}`,
  );
  const tiny = await measureCube(TINY, reps);
  if (typeof tiny === "string") {
    console.error(`(a) the ${TINY}³ run failed (${tiny})`);
    return 1;
  }
  console.log(
    `fixed runtime cost (${TINY}³): ${tiny.wall.toFixed(3)} s, peak RSS ${mb(tiny.rss)} MB`,
  );
  console.log(
    "size   voxels       wall s  above fixed s  ns/voxel  peak RSS MB  above fixed MB  B/voxel",
  );
  const rows: Measured[] = [];
  for (const n of sizes) {
    const m = await measureCube(n, n >= 384 ? Math.min(reps, 2) : reps);
    if (typeof m === "string") {
      console.error(`(a) ${n}³ failed (${m})`);
      return 1;
    }
    rows.push(m);
    const dt = m.wall - tiny.wall, dr = m.rss - tiny.rss;
    console.log(
      `${`${n}³`.padEnd(6)} ${String(m.voxels).padStart(10)} ${m.wall.toFixed(3).padStart(9)} ${
        dt.toFixed(3).padStart(14)
      } ${((dt * 1e9) / m.voxels).toFixed(2).padStart(9)} ${mb(m.rss).padStart(12)} ${
        mb(dr).padStart(15)
      } ${(dr / m.voxels).toFixed(2).padStart(8)}`,
    );
  }
  const voxels = rows.map((r) => r.voxels);
  const time = rows.map((r) => r.wall - tiny.wall);
  const rss = rows.map((r) => r.rss - tiny.rss);
  let missed = 0;
  for (
    const [name, cost, unit] of [
      ["time", time.map((t, i) => (t * 1e9) / voxels[i]), "ns/voxel"],
      ["RSS", rss.map((r, i) => r / voxels[i]), "B/voxel"],
    ] as const
  ) {
    const exponent = fitExponent(voxels, name === "time" ? time : rss);
    const spread = spreadAroundMedian(cost, TOLERANCE);
    const ok = spread.flat;
    if (!ok) missed++;
    const pct = (x: number) => `${x >= 0 ? "+" : ""}${(x * 100).toFixed(0)} %`;
    console.log(
      `${name} above fixed: fitted exponent ${exponent.toFixed(3)} (1.0 = linear); per voxel ` +
        `median ${spread.median.toFixed(2)} ${unit}, spread ${pct(spread.low)} … ` +
        `${pct(spread.high)} → ${ok ? "within" : "NOT within"} the goal (flat within ±25 %)`,
    );
  }
  console.log(`load after: ${loadNow()} (other processes skew wall times)`);
  return missed;
}
