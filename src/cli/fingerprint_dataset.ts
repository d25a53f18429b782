/**
 * `fingerprint --manifest F` (no recipe): the dataset fingerprint (runner/fingerprint_dataset.ts)
 * printed as text, or as JSON with `--json`, ending with a suggested recipe in YAML
 * (runner/fingerprint_suggest.ts) that `--recipe-out FILE` also writes (never over an existing
 * file without `--force`, never over an input, runner/same_file.ts). Exit 0, 1 when some subject could not be read (the rest is still
 * reported), 2 for bad arguments, 130 interrupted. Permissions: --allow-read, --allow-write
 * (only --recipe-out).
 */
import { basename, resolve } from "node:path";
import { UsageError } from "../errors.ts";
import { readManifest } from "../manifest/manifest.ts";
import { writeTextAtomic } from "../manifest/manifest_write.ts";
import { matchesWhere } from "../manifest/where.ts";
import { parseWhereOptions } from "../recipe/select_where.ts";
import { stringifyStable } from "../provenance/stable_json.ts";
import { findSameFile } from "../runner/same_file.ts";
import {
  type DatasetFingerprint,
  fingerprintJobs,
  type IntensityStats,
  mergeFingerprints,
  type Spread,
} from "../runner/fingerprint_dataset.ts";
import { suggestRecipe } from "../runner/fingerprint_suggest.ts";
import { resolvePairs } from "../runner/pairs.ts";
import { chooseProgressMode } from "../runner/progress.ts";
import { VERSION } from "../version.ts";

/** Options of the dataset fingerprint. */
export interface DatasetFingerprintOptions {
  manifest?: string;
  input?: string;
  labels?: string[];
  where?: string[];
  workers?: number;
  json?: boolean;
  modality?: "ct" | "mr" | "auto";
  recipeOut?: string;
  force?: boolean;
  quiet?: boolean;
}

const fmt = (v: number) => String(Math.round(v * 1e4) / 1e4);
const spread = (s: readonly Spread[]) =>
  `min ${s.map((x) => fmt(x.min)).join("x")}  median ${
    s.map((x) => fmt(x.median)).join("x")
  }  max ${s.map((x) => fmt(x.max)).join("x")}`;
const counts = (c: Record<string, number>) =>
  Object.entries(c).map(([k, n]) => `${k}: ${n}`).join(", ");
const intensity = (s: IntensityStats | null) =>
  s === null
    ? "none"
    : `n=${s.count} mean ${fmt(s.mean)} std ${fmt(s.std)} min ${fmt(s.min)} p0.5 ${
      fmt(s.percentile00_5)
    } median ${fmt(s.percentile50_0)} p99.5 ${fmt(s.percentile99_5)} max ${fmt(s.max)}${
      s.exact ? "" : " (percentiles within 1e-4 of rank)"
    }`;

/** The human-readable report. */
export function formatFingerprint(fp: DatasetFingerprint, source: string, yaml: string): string {
  const lines = [
    `medprep fingerprint: ${fp.subjects} subject(s) of ${source}, ${fp.failed.length} unreadable`,
  ];
  for (const r of fp.roles) {
    lines.push(`role ${r.role} (${r.label ? "label" : "image"}, ${r.subjects} subjects)`);
    lines.push(`  shape       ${spread(r.shape)}`);
    lines.push(`  spacing mm  ${spread(r.spacing)}`);
    lines.push(
      `  anisotropy  min ${fmt(r.anisotropy.min)}  median ${fmt(r.anisotropy.median)}  max ${
        fmt(r.anisotropy.max)
      }  (${r.anisotropy.above3} subject(s) above 3)`,
    );
    lines.push(`  orientation ${counts(r.orientations)}`);
    lines.push(`  dtype       ${counts(r.dtypes)}`);
    if (Object.keys(r.frames).some((k) => k !== "1")) {
      lines.push(`  volumes     ${counts(r.frames)}`);
    }
    if (r.intensity) {
      lines.push(`  all voxels  ${intensity(r.intensity.all)}`);
      lines.push(`  foreground  ${intensity(r.intensity.foreground)}`);
    }
    if (r.labels) {
      lines.push(
        `  labels      ${
          r.labels.map((l) => `${l.value}: ${l.voxels} voxels in ${l.subjects} subject(s)`).join(
            ", ",
          ) || "none"
        }`,
      );
    }
  }
  if (fp.mismatchedGrids.length) {
    lines.push(`grids differ between roles (${fp.mismatchedGrids.length} subject(s)):`);
    for (const m of fp.mismatchedGrids) {
      lines.push(`  "${m.id}" (row ${m.row}): ${m.problems.join("; ")}`);
    }
  }
  for (const f of fp.failed) lines.push(`unreadable: "${f.id}" (row ${f.row}): ${f.message}`);
  lines.push("suggested recipe:", yaml);
  return lines.join("\n");
}

/** Runs the dataset fingerprint; returns the exit code. */
export async function runDatasetFingerprint(options: DatasetFingerprintOptions): Promise<number> {
  if (!options.manifest === !options.input) {
    throw new UsageError([{
      path: "--manifest",
      message: "Cannot fingerprint a dataset: give exactly one of --manifest FILE or --input GLOB",
    }]);
  }
  const where = parseWhereOptions(options.where ?? []);
  const source = (options.manifest ?? options.input)!;
  const manifest = await readManifest(options.input ? source : resolve(source), {
    glob: options.input !== undefined,
  });
  const labels = options.labels ?? ["label"];
  const unknown = [...labels.filter((l) => !manifest.roles.includes(l) && options.labels)];
  const badColumns = where.filter((c) =>
    c.column !== "id" && !manifest.metadata.includes(c.column)
  );
  if (unknown.length || badColumns.length) {
    throw new UsageError([
      ...unknown.map((l) => ({
        path: "--labels",
        message: `Cannot use label role "${l}": the manifest has no such role (roles: ${
          manifest.roles.join(", ")
        })`,
      })),
      ...badColumns.map((c) => ({
        path: "--where",
        message:
          `Cannot select subjects by "${c.text}": the manifest has no metadata column "${c.column}"`,
      })),
    ]);
  }
  const recipeOut = options.recipeOut && resolve(options.recipeOut);
  // Never an input (the manifest, a subject's file), whatever path leads to it, even --force.
  const same = recipeOut && findSameFile(recipeOut, [
    ...(options.input ? [] : [resolve(source)]),
    ...manifest.rows.flatMap((r) => Object.values(r.paths)),
  ]);
  if (same) {
    throw new UsageError([{
      path: "--recipe-out",
      message: `Cannot write "${recipeOut}": it is the same file as the input "${same}"`,
    }]);
  }
  if (recipeOut && !options.force && await Deno.lstat(recipeOut).then(() => true, () => false)) {
    throw new UsageError([{
      path: "--recipe-out",
      message: `Cannot write "${recipeOut}": it exists; give --force to replace it`,
    }]);
  }
  const jobs = resolvePairs(
    manifest.rows.filter((r) => matchesWhere(r, where))
      .map((r) => ({ id: r.id, row: r.row, paths: r.paths })),
  );
  const { results, interrupted } = await fingerprintJobs(jobs, {
    labels: labels.filter((l) => manifest.roles.includes(l)),
    workers: options.workers ?? Math.max(1, navigator.hardwareConcurrency ?? 1),
    progress: chooseProgressMode(options.quiet || options.json === true),
  });
  if (interrupted) return 130;
  const fp = mergeFingerprints(results);
  const stem = basename(source).replace(/\.[^.]*$/, "").replace(/[^A-Za-z0-9._-]/g, "-");
  const suggestion = suggestRecipe(fp, {
    name: `${/^[A-Za-z0-9]/.test(stem) ? stem : "dataset"}-suggested`,
    source: basename(source),
    modality: options.modality,
  });
  if (options.json) {
    console.log(
      stringifyStable({
        tool: "medprep",
        version: VERSION,
        manifest: manifest.kind === "glob" ? source : resolve(source),
        ...fp,
        suggestedRecipe: suggestion,
      }).trimEnd(),
    );
  } else console.log(formatFingerprint(fp, source, suggestion.yaml));
  if (recipeOut) await writeTextAtomic(recipeOut, suggestion.yaml);
  return fp.failed.length ? 1 : 0;
}
