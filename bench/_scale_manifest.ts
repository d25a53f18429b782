/**
 * `bench scale --part c [--rows N]`: cost that grows linearly with the work (issue 15.3c).
 * A manifest of N rows (default 100,000; image + label per row, hard links to 200 tiny
 * generated NIfTI files under bench/.data/scale) through `validate --manifest` and
 * `run --dry-run` (stdout to /dev/null), each a fresh child: wall seconds and peak RSS, next to
 * the same commands on N/10 rows (the per-row cost must stay flat). Goals: ≤ 15 s and ≤ 600 MB
 * for each command at 100,000 rows. The dry run reads every header, so it also runs on the
 * same rows as .nii.gz files (most datasets; a gzip header costs more than a plain one).
 * Permissions: read, write (bench/.data), run (/usr/bin/time, bash, deno), env, sys.
 */
import { writeNiftiSync } from "../src/nifti/nifti_write.ts";
import { createVolume } from "../src/volume/volume.ts";
import { type ChildResult, mb, measureChild, medprepCommand } from "./_peer.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const DATA = `${ROOT}bench/.data/scale`;
const DISTINCT = 200;

const RECIPE = `version: 1
name: scale
steps:
  - step: load
    labels: [label]
  - step: resample-to-spacing
    spacing: [2, 2, 2]
  - step: save
`;

/** The input files' extension: .nii under `in/`, .nii.gz under `in-gz/`. */
type Ext = "nii" | "nii.gz";
const folder = (ext: Ext) => (ext === "nii" ? "in" : "in-gz");

/** The files of row i (hard links to one of DISTINCT tiny volumes), created once. */
function ensureFiles(rows: number, ext: Ext): void {
  const dir = `${DATA}/${folder(ext)}`;
  Deno.mkdirSync(dir, { recursive: true });
  const identity = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]];
  for (let i = 0; i < rows; i++) {
    const id = `s${String(i).padStart(6, "0")}`;
    for (const [suffix, label] of [["", false], ["_seg", true]] as const) {
      const path = `${dir}/${id}${suffix}.${ext}`;
      try {
        Deno.lstatSync(path);
        continue;
      } catch { /* make it */ }
      if (i < DISTINCT) {
        const data = label
          ? new Uint8Array(512).map((_, k) => (k + i) % 2)
          : new Int16Array(512).map((_, k) => (k * 7 + i) % 300);
        writeNiftiSync(path, createVolume({ shape: [8, 8, 8], data, affine: identity }));
      } else {
        Deno.linkSync(`${dir}/s${String(i % DISTINCT).padStart(6, "0")}${suffix}.${ext}`, path);
      }
    }
  }
}

/** Writes the manifest of the first `rows` rows; returns its path. */
function writeManifest(rows: number, ext: Ext): string {
  const lines = ["id,image,label"];
  const dir = folder(ext);
  for (let i = 0; i < rows; i++) {
    const id = `s${String(i).padStart(6, "0")}`;
    lines.push(`${id},${dir}/${id}.${ext},${dir}/${id}_seg.${ext}`);
  }
  const path = `${DATA}/manifest-${rows}${ext === "nii" ? "" : "-gz"}.csv`;
  Deno.writeTextFileSync(path, lines.join("\n") + "\n");
  return path;
}

/** One medprep command in a fresh child, its stdout discarded (the dry run prints a lot). */
function measure(args: string[]): Promise<ChildResult> {
  const quoted = medprepCommand(args).map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(" ");
  return measureChild(["bash", "-c", `exec ${quoted} > /dev/null`]);
}

/** Runs part (c); returns 1 when a command failed, 2 for a bad --rows. */
export async function runManifestPart(args: string[]): Promise<number> {
  const at = args.indexOf("--rows");
  const rows = at >= 0 ? Number(args[at + 1]) : 100_000;
  if (!Number.isInteger(rows) || rows < 10) {
    console.error("Cannot run bench scale: --rows takes an integer ≥ 10");
    return 2;
  }
  ensureFiles(rows, "nii");
  ensureFiles(rows, "nii.gz");
  const recipe = `${DATA}/recipe.yaml`;
  Deno.writeTextFileSync(recipe, RECIPE);
  const load = () => Deno.loadavg()[0].toFixed(2);
  console.log(
    `\n(c) manifests of ${rows / 10} and ${rows} rows (2 inputs each); load ${load()}`,
  );
  console.log(
    "command              rows      wall s  peak RSS MB  µs/row   goal (at 100,000 rows)",
  );
  let failed = 0;
  const commands = [
    ["validate --manifest", "nii"],
    ["run --dry-run", "nii"],
    ["run --dry-run .gz", "nii.gz"],
  ] as const;
  for (const [name, ext] of commands) {
    const perRow: number[] = [], walls: number[] = [];
    for (const n of [rows / 10, rows]) {
      const manifest = writeManifest(n, ext);
      const argv = name.startsWith("validate")
        ? ["validate", recipe, "--manifest", manifest]
        : ["run", recipe, "--manifest", manifest, "--out", `${DATA}/out`, "--dry-run"];
      const r = await measure(argv);
      if (r.code !== 0) {
        console.error(`${name} failed (exit ${r.code}): ${r.stderr.trim().split("\n")[0]}`);
        failed++;
        continue;
      }
      const us = (r.wallMs * 1000) / n;
      perRow.push(us);
      walls.push(r.wallMs);
      const goal = n === rows ? "≤ 15 s, ≤ 600 MB" : "";
      console.log(
        `${name.padEnd(20)} ${String(n).padStart(7)} ${(r.wallMs / 1000).toFixed(2).padStart(9)} ${
          mb(r.peakRss).padStart(12)
        } ${us.toFixed(0).padStart(7)}   ${goal}`,
      );
    }
    if (walls.length === 2) {
      // Linear model t = fixed + n · perRow through both points: a quadratic cost shows up as
      // a marginal per-row cost far above the small run's own average.
      const marginal = ((walls[1] - walls[0]) * 1000) / (rows - rows / 10);
      const fixed = walls[0] - (marginal * rows) / 10 / 1000;
      console.log(
        `  marginal ${marginal.toFixed(0)} µs/row, fixed ${(fixed / 1000).toFixed(2)} s; ` +
          `small run's average ${perRow[0].toFixed(0)} µs/row`,
      );
    }
  }
  console.log(`load after: ${load()} (other processes skew wall times)`);
  return failed ? 1 : 0;
}
