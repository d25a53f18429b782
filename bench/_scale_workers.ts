/**
 * `bench scale --part d` (issue 15.3d): 20 CT-like subjects (256×256×160 int16, 0.8 × 0.8 ×
 * 1.5 mm, ±20 HU noise, .nii.gz, each different, cached under bench/.data/scale-workers/)
 * through `run` (load → resample-to-size to half the size, linear → save .nii.gz), fresh
 * children, alternating, three ways:
 *   - `--workers 1` on one core (`taskset -c 0`: the process sees one CPU, so the main thread
 *     serves no deflate helper),
 *   - `--workers 1` on every core (the main thread compresses half of each output on the core
 *     the worker leaves idle: runner/batch.ts),
 *   - `--workers 2` on every core.
 * The goal (≥ 1.85× on an idle 2-core machine) is about scaling with workers, so it compares
 * two workers with one worker on one core: since `--workers 1` uses the second core itself, two
 * workers against it compare two cores with ~1.5 (that ratio is printed too). From provenance,
 * the steps' summed milliseconds under each (when two workers slow each other's compute, the
 * speed-up is bounded by the cores and memory, not by the main thread). A 1-subject one-core
 * run gives the fixed cost f (start-up, worker start, provenance), and with it the best
 * speed-up two workers could reach on this work: T1 ÷ (f + (T1 − f) ÷ 2). The CPU seconds of each
 * run (/usr/bin/time) split the gap into extra CPU and idle core time. `--shape=512x512x300`
 * (say) uses larger subjects (output 1/8 of the input's voxels); `--reps-d=N` repeats (best of
 * N); `--subjects-d=N` changes the count. Without `taskset` (util-linux) the one-core runs are
 * skipped with a notice and the goal is checked against the unpinned `--workers 1`.
 * Permissions: read, write (bench/.data), run (/usr/bin/time, taskset, deno), env, sys.
 */
import { mb, measureChild, medprepCommand } from "./_peer.ts";
import { hasTaskset } from "../tests/cli/_run.ts";
import { DATA_ROOT, ensureCtLike, loadNow } from "./_scale_data.ts";
import type { Provenance } from "../src/provenance/types.ts";

const DEFAULT_SHAPE: [number, number, number] = [256, 256, 160];
const GOAL = 1.85;

const recipe = (shape: readonly number[]) =>
  `version: 1
name: scale-workers
steps:
  - step: load
  - step: resample-to-size
    size: [${shape.map((n) => Math.round(n / 2)).join(", ")}]
    interpolation: linear
  - step: save
    dtype: keep
`;

interface Timing {
  wall: number;
  rss: number;
  /** Summed `ms` of the transform steps over the subjects (provenance). */
  stepMs: number;
  /** Seconds from provenance `started` to `finished` (the working phase). */
  phase: number;
  /** User + system CPU seconds of the whole process (every thread). */
  cpu: number;
}

/** How one run is started: its worker count and whether it is held to one core. */
interface Config {
  label: string;
  workers: number;
  oneCore: boolean;
}

async function runOnce(
  dir: string,
  manifest: string,
  { workers, oneCore }: Config,
): Promise<Timing | string> {
  const out = `${dir}/out-w${workers}${oneCore ? "-1core" : ""}`;
  await Deno.remove(out, { recursive: true }).catch(() => {});
  const r = await measureChild([
    ...(oneCore ? ["taskset", "-c", "0"] : []),
    ...medprepCommand([
      "run",
      `${dir}/recipe.yaml`,
      "--manifest",
      manifest,
      "--out",
      out,
      "--workers",
      String(workers),
      "--quiet",
    ]),
  ]);
  if (r.code !== 0) return `exit ${r.code}: ${r.stderr.trim().split("\n")[0]}`;
  const p = JSON.parse(Deno.readTextFileSync(`${out}/provenance.json`)) as Provenance;
  const stepMs = p.subjects.reduce((s, x) => s + x.steps.reduce((t, e) => t + e.ms, 0), 0);
  const phase = (Date.parse(p.finished) - Date.parse(p.started)) / 1000;
  await Deno.remove(out, { recursive: true }).catch(() => {});
  return { wall: r.wallMs / 1000, rss: r.peakRss, stepMs, phase, cpu: r.cpuSeconds };
}

/** Runs part (d); returns 1 when the speed-up is below the goal or a run failed. */
export async function runWorkersPart(args: string[]): Promise<number> {
  const count = Number(args.find((a) => a.startsWith("--subjects-d="))?.slice(13) ?? 20);
  const reps = Number(args.find((a) => a.startsWith("--reps-d="))?.slice(9) ?? 1);
  const shapeArg = args.find((a) => a.startsWith("--shape="))?.slice(8);
  const SHAPE = shapeArg ? shapeArg.split("x").map(Number) as typeof DEFAULT_SHAPE : DEFAULT_SHAPE;
  if (SHAPE.length !== 3 || !SHAPE.every((n) => Number.isInteger(n) && n >= 2)) {
    console.error("Cannot run bench scale --part d: --shape takes NXxNYxNZ (e.g. 512x512x300)");
    return 2;
  }
  // The default shape keeps the folder the first version used; others get their own.
  const DIR = `${DATA_ROOT}scale-workers${shapeArg ? `-${SHAPE.join("x")}` : ""}`;
  Deno.mkdirSync(DIR, { recursive: true });
  Deno.writeTextFileSync(`${DIR}/recipe.yaml`, recipe(SHAPE));
  const manifestOf = (n: number) => {
    const lines = ["id,image"];
    for (let i = 0; i < n; i++) {
      const id = `ct${String(i).padStart(2, "0")}`;
      if (ensureCtLike(`${DIR}/in/${id}.nii.gz`, SHAPE, [0.8, 0.8, 1.5], 1000 + i)) {
        console.log(`  (generated ${DIR}/in/${id}.nii.gz)`);
      }
      lines.push(`${id},in/${id}.nii.gz`);
    }
    const path = `${DIR}/manifest-${n}.csv`;
    Deno.writeTextFileSync(path, lines.join("\n") + "\n");
    return path;
  };
  const manifest = manifestOf(count);
  const single = manifestOf(1);
  console.log(
    `\n(d) ${count} subjects ${SHAPE.join("×")} int16 .nii.gz, resample-to-size ${
      SHAPE.map((n) => Math.round(n / 2)).join("×")
    } ` +
      `linear → save .nii.gz; 2 workers vs 1, best of ${reps}, alternating; ` +
      `${navigator.hardwareConcurrency} cores, load ${loadNow()}`,
  );
  const pinned = await hasTaskset();
  if (!pinned) console.log("NOTICE: no taskset (util-linux): one-core runs skipped");
  const base: Config = pinned
    ? { label: "1 worker, 1 core", workers: 1, oneCore: true }
    : { label: "1 worker", workers: 1, oneCore: false };
  const configs: Config[] = [
    base,
    ...(pinned ? [{ label: "1 worker, all cores", workers: 1, oneCore: false }] : []),
    { label: "2 workers", workers: 2, oneCore: false },
  ];
  const one = await runOnce(DIR, single, base);
  if (typeof one === "string") {
    console.error(`(d) the 1-subject run failed (${one})`);
    return 1;
  }
  const best = new Map<Config, Timing>();
  for (let r = 0; r < reps; r++) {
    for (const c of r % 2 ? [...configs].reverse() : configs) {
      const t = await runOnce(DIR, manifest, c);
      if (typeof t === "string") {
        console.error(`(d) run ${c.label} failed (${t})`);
        return 1;
      }
      const old = best.get(c);
      if (!old || t.wall < old.wall) best.set(c, t);
    }
  }
  console.log(
    "run                   wall s  working phase s  steps' summed ms  peak RSS MB  CPU s",
  );
  for (const c of configs) {
    const t = best.get(c)!;
    console.log(
      `${c.label.padEnd(20)} ${t.wall.toFixed(2).padStart(7)} ${t.phase.toFixed(2).padStart(16)} ${
        t.stepMs.toFixed(0).padStart(17)
      } ${mb(t.rss).padStart(12)} ${t.cpu.toFixed(2).padStart(6)}`,
    );
  }
  const t1 = best.get(base)!, t2 = best.get(configs[configs.length - 1])!;
  const speedup = t1.wall / t2.wall;
  // Fixed cost f: the 1-subject run less one subject's share of the 20-subject run's work.
  const perSubject = (t1.wall - one.wall) / (count - 1);
  const fixed = Math.max(0, one.wall - perSubject);
  const ceiling = t1.wall / (fixed + (t1.wall - fixed) / 2);
  console.log(
    `fixed cost (1-subject run less one subject's work, ${base.label}): ${fixed.toFixed(2)} s; ` +
      `${(perSubject * 1000).toFixed(0)} ms per subject; best possible ` +
      `speed-up with this fixed cost: ${ceiling.toFixed(2)}×${
        ceiling < GOAL
          ? ` (below the goal whatever the workers do: larger subjects, e.g. ` +
            `--shape=512x512x300, make the work dwarf the fixed cost)`
          : ""
      }`,
  );
  const phaseSpeedup = t1.phase / t2.phase;
  const ok = speedup >= GOAL;
  console.log(
    `speed-up 2 workers vs ${base.label}: ${speedup.toFixed(2)}× whole command ` +
      `(${phaseSpeedup.toFixed(2)}× working phase) → ${ok ? "meets" : "does NOT meet"} ` +
      `the goal (≥ ${GOAL}×); two workers' steps took ${
        (t2.stepMs / t1.stepMs).toFixed(2)
      }× the time of one's (above 1: cores or memory shared, not a wait on the main thread)`,
  );
  // Where two workers lose against one on one core: more CPU for the same work (a second worker
  // start, shared memory), or a core left idle (the serial start-up, the last subject alone).
  const idle = 2 * t2.wall - t2.cpu;
  console.log(
    `CPU: 2 workers used ${t2.cpu.toFixed(2)} s against ${t1.cpu.toFixed(2)} s ` +
      `(${((t2.cpu / t1.cpu - 1) * 100).toFixed(1)}% more); of their 2 × ${
        t2.wall.toFixed(2)
      } core-seconds ${idle.toFixed(2)} were idle (start-up before the workers run, the last ` +
      `subject alone); with no idle core and the same CPU the speed-up would be ${
        (t1.wall / (t2.cpu / 2)).toFixed(2)
      }×`,
  );
  if (pinned) {
    const all = best.get(configs[1])!;
    console.log(
      `2 workers vs 1 worker on all cores (its main thread compresses on the second core): ` +
        `${(all.wall / t2.wall).toFixed(2)}×; 1 worker on all cores vs on one: ` +
        `${(t1.wall / all.wall).toFixed(2)}×`,
    );
  }
  console.log(
    `load after: ${loadNow()} (other processes skew wall times; ratio is meaningful only on an idle machine)`,
  );
  return ok ? 0 : 1;
}
