/**
 * `bench scale --part b` (issue 15.3b): 10 → 1,000 tiny subjects (8³–16³ int16 .nii.gz, cached
 * under bench/.data/scale-subjects/) through a real `run --workers 1` (load → resample-to-spacing
 * 2 mm → save .nii.gz) in a fresh child each; a 1-subject run is the fixed cost. Prints the wall
 * time per subject above that fixed cost for each size (goal: flat, within ±25 % and a fitted
 * exponent near 1.0), the run phase (provenance `started` → report.html written) per subject,
 * and, timed in this process on copies of a real subject record (10× the run sizes, and
 * 100,000), the writes a run makes per subject and at its end: journal appends (fsyncs grouped),
 * provenance.json, manifest.csv + dataset.json and report.html — each must be O(n) in total.
 * Permissions: read, write (bench/.data), run (/usr/bin/time, deno), env, sys.
 */
import { createJournal } from "../src/provenance/journal.ts";
import { writeJsonAtomic } from "../src/provenance/stable_json.ts";
import { writeOutputManifest } from "../src/provenance/output_manifest.ts";
import type { Provenance, SubjectRecord } from "../src/provenance/types.ts";
import type { ProvenanceHeader } from "../src/provenance/header.ts";
import { writeReport } from "../src/report/write_report.ts";
import { type ChildResult, measureChild, medprepCommand } from "./_peer.ts";
import { fitExponent } from "./_fit.ts";
import { DATA_ROOT, ensureCtLike, loadNow } from "./_scale_data.ts";

const DIR = `${DATA_ROOT}scale-subjects`;
const TOLERANCE = 0.25;
/** Per-subject growth of a run-level write from 10,000 to 100,000 subjects still called O(n). */
const GROWTH_LIMIT = 2;

const RECIPE = `version: 1
name: scale-subjects
steps:
  - step: load
  - step: resample-to-spacing
    spacing: [2, 2, 2]
  - step: save
`;

const idOf = (i: number) => `s${String(i).padStart(5, "0")}`;

/** The first `n` subjects' files (generated once) and a manifest of them; its path. */
function ensureManifest(n: number): string {
  for (let i = 0; i < n; i++) {
    const e = 8 + (i % 9); // 8³ … 16³
    ensureCtLike(`${DIR}/in/${idOf(i)}.nii.gz`, [e, e, e], [1, 1, 1], i);
  }
  const path = `${DIR}/manifest-${n}.csv`;
  const lines = [
    "id,image",
    ...Array.from({ length: n }, (_, i) => `${idOf(i)},in/${idOf(i)}.nii.gz`),
  ];
  Deno.writeTextFileSync(path, lines.join("\n") + "\n");
  return path;
}

interface RunResult {
  n: number;
  wall: number;
  /** provenance `started` → report.html's mtime, seconds. */
  phase: number;
  provenance: Provenance;
}

/** A fresh `run` of the first n subjects (best wall of `reps`). */
async function measureRun(n: number, reps: number): Promise<RunResult | string> {
  const manifest = ensureManifest(n);
  const out = `${DIR}/out-${n}`;
  let best: RunResult | undefined;
  for (let r = 0; r < reps; r++) {
    await Deno.remove(out, { recursive: true }).catch(() => {});
    const cmd = ["run", `${DIR}/recipe.yaml`, "--manifest", manifest, "--out", out];
    const result: ChildResult = await measureChild(
      medprepCommand([...cmd, "--workers", "1", "--quiet"]),
    );
    if (result.code !== 0) return `exit ${result.code}: ${result.stderr.trim().split("\n")[0]}`;
    const provenance = JSON.parse(Deno.readTextFileSync(`${out}/provenance.json`)) as Provenance;
    const end = Deno.statSync(`${out}/report.html`).mtime!.getTime();
    const phase = (end - Date.parse(provenance.started)) / 1000;
    const wall = result.wallMs / 1000;
    if (!best || wall < best.wall) best = { n, wall, phase, provenance };
  }
  return best!;
}

/** Seconds each run-level write takes for `n` copies of `subject` (in this process). */
async function timeWrites(
  base: Provenance,
  subject: SubjectRecord,
  n: number,
): Promise<Record<string, number>> {
  const dir = `${DIR}/writes-${n}`;
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  Deno.mkdirSync(dir, { recursive: true });
  const subjects = Array.from({ length: n }, (_, i) => ({
    ...structuredClone(subject),
    id: idOf(i),
    row: i + 2,
  }));
  const { subjects: _s, started, finished: _f, status: _st, ...header } = base;
  const provenance: Provenance = { ...base, subjects };
  const t: Record<string, number> = {};
  let t0 = performance.now();
  const journal = await createJournal(`${dir}/provenance.journal.jsonl`, {
    header: header as ProvenanceHeader,
    started,
  }, []);
  for (const s of subjects) journal.append(s);
  await journal.flush(); // its grouped fsyncs too
  journal.close();
  t.journal = (performance.now() - t0) / 1000;
  t0 = performance.now();
  await writeJsonAtomic(`${dir}/provenance.json`, provenance);
  t.provenance = (performance.now() - t0) / 1000;
  t0 = performance.now();
  await writeOutputManifest(dir, provenance);
  t.manifest = (performance.now() - t0) / 1000;
  t0 = performance.now();
  await writeReport(`${dir}/provenance.json`, provenance);
  t.report = (performance.now() - t0) / 1000;
  await Deno.remove(dir, { recursive: true });
  return t;
}

/** Runs part (b); returns 1 when a goal is not met or a run failed, else 0. */
export async function runSubjectsPart(args: string[]): Promise<number> {
  const arg = args.find((a) => a.startsWith("--subjects="))?.slice(11);
  const sizes = arg ? arg.split(",").map(Number) : [10, 100, 1000];
  Deno.mkdirSync(DIR, { recursive: true });
  Deno.writeTextFileSync(`${DIR}/recipe.yaml`, RECIPE);
  console.log(
    `\n(b) ${sizes.join(", ")} tiny subjects (8³–16³ int16 .nii.gz) through run --workers 1 ` +
      `(load → resample-to-spacing → save .nii.gz), best of 2; load ${loadNow()}`,
  );
  const fixed = await measureRun(1, 2);
  if (typeof fixed === "string") {
    console.error(`(b) the 1-subject run failed (${fixed})`);
    return 1;
  }
  console.log(`fixed cost (1 subject): wall ${fixed.wall.toFixed(3)} s`);
  console.log(
    "subjects  wall s  wall/subject ms  above fixed ms/subject  marginal ms/subject  " +
      "run phase ms/subject",
  );
  const runs: RunResult[] = [];
  const marginal: number[] = [];
  for (const n of sizes) {
    const r = await measureRun(n, 2);
    if (typeof r === "string") {
      console.error(`(b) the ${n}-subject run failed (${r})`);
      return 1;
    }
    const prev = runs.at(-1) ?? fixed;
    const m = (r.wall - prev.wall) / (r.n - prev.n);
    marginal.push(m);
    runs.push(r);
    console.log(
      `${String(n).padStart(8)} ${r.wall.toFixed(2).padStart(7)} ${
        ((r.wall * 1000) / n).toFixed(1).padStart(16)
      } ${(((r.wall - fixed.wall) * 1000) / (n - 1)).toFixed(1).padStart(23)} ${
        (m * 1000).toFixed(2).padStart(20)
      } ${((r.phase * 1000) / n).toFixed(1).padStart(20)}`,
    );
  }
  let missed = 0;
  // Marginal: the cost of the subjects a size adds over the one before (from 1 for the first);
  // it also carries the JIT warm-up of the first subjects, so the first is the dearest on an
  // O(n) runner; an O(n²) cost makes the last the dearest.
  const exponent = fitExponent(runs.map((r) => r.n), runs.map((r) => r.wall - fixed.wall));
  // Against the marginal of the second size (the first carries the warm-up) when there are ≥ 3.
  const ref = sizes.length >= 3 ? 1 : 0;
  const ratio = marginal[marginal.length - 1] / marginal[ref];
  const flat = ratio <= 1 + TOLERANCE;
  if (!flat) missed++;
  console.log(
    `per-subject cost: marginal ${sizes.at(-2) ?? 1}→${sizes.at(-1)} ÷ ${ref ? sizes[0] : 1}→${
      sizes[ref]
    } = ` +
      `${ratio.toFixed(2)}×; wall/subject ${sizes.at(-1)} ÷ ${sizes[0]} = ${
        (runs.at(-1)!.wall / runs.at(-1)!.n / (runs[0].wall / runs[0].n)).toFixed(2)
      }× (fixed cost amortized); exponent of wall above fixed ${exponent.toFixed(3)} ` +
      `→ ${flat ? "within" : "NOT within"} the goal (no growth per subject beyond +25 %)`,
  );

  // The run-level writes on their own, on copies of the largest run's first subject record,
  // at 10× the sizes and 100,000 (cheap without volumes; fixed costs of a file are amortized).
  const base = runs.at(-1)!.provenance;
  const writeSizes = sizes.map((n) => n * 10);
  // And 100,000 (the scale): totals of a second or more, well above timing noise.
  if (writeSizes.at(-1)! < 100_000) writeSizes.push(100_000);
  const writes: Record<string, number>[] = [];
  for (const n of writeSizes) {
    // Best of two: single timings of a few ms swing with the machine's load.
    const [x, y] = [
      await timeWrites(base, base.subjects[0], n),
      await timeWrites(base, base.subjects[0], n),
    ];
    writes.push(Object.fromEntries(Object.keys(x).map((k) => [k, Math.min(x[k], y[k])])));
  }
  const keys = Object.keys(writes[0]);
  console.log(
    `run-level writes per subject (µs), in this process on copies of one record ` +
      `(journal: one line per subject, fsyncs grouped; best of 2):\n` +
      `subjects ${keys.map((k) => k.padStart(11)).join("")}`,
  );
  writes.forEach((w, i) =>
    console.log(
      `${String(writeSizes[i]).padStart(8)} ${
        keys.map((k) => ((w[k] * 1e6) / writeSizes[i]).toFixed(0).padStart(11)).join("")
      }`,
    )
  );
  for (const k of keys) {
    const e = fitExponent(writeSizes, writes.map((w) => w[k]));
    const last = writes.length - 1;
    const r = writes[last][k] / writeSizes[last] / (writes[last - 1][k] / writeSizes[last - 1]);
    // 10× the subjects: an O(n²) write costs ~10× per subject; timing noise (GC on a larger
    // heap, fsync, the machine's load) moves a few-µs cost by up to ~2×.
    const linear = r <= GROWTH_LIMIT;
    if (!linear) missed++;
    console.log(
      `  ${k}: total ∝ n^${e.toFixed(2)}; per subject ${writeSizes[last]} ÷ ${
        writeSizes[last - 1]
      } = ${r.toFixed(2)}× → ${linear ? "O(n)" : "NOT O(n)"} (O(n²) would be ~10×; ` +
        `limit ${GROWTH_LIMIT}×)`,
    );
  }
  console.log(`load after: ${loadNow()} (other processes skew wall times)`);
  return missed > 0 ? 1 : 0;
}
