/**
 * `deno task bench scale [--part a|b|c|d]… [options]`: cost that grows linearly with the work
 * (issue 15.3). Without --part every part runs, in the order a, b, c, d (several minutes; on
 * a shared machine run one part at a time). `--part a,d` or a repeated `--part` selects several.
 *
 *   a  one subject, 64³ → 512³ cubes: time and peak RSS per voxel above the fixed runtime cost,
 *      flat within ±25 %, with the fitted exponent (bench/_scale_size.ts;
 *      `--sizes=64,128,…`, `--reps=N`)
 *   b  10 → 1,000 tiny subjects through a real `run`: per-subject cost flat, and the provenance /
 *      journal / output-manifest / report writes timed on their own (bench/_scale_subjects.ts;
 *      `--subjects=10,100,1000`)
 *   c  a 100,000-row manifest: `validate --manifest` and `run --dry-run` (.nii, and .nii.gz)
 *      ≤ 15 s and ≤ 600 MB
 *      (bench/_scale_manifest.ts; `--rows N`)
 *   d  `--workers 2` vs `--workers 1` held to one core (taskset) on 20 CT-like 256×256×160
 *      subjects: speed-up ≥ 1.85× (bench/_scale_workers.ts; `--subjects-d=N`, `--shape=…`)
 *
 * Generated inputs are cached under bench/.data/scale*. Exit code: 0 when every part ran (the
 * verdicts are printed), 1 when a command failed or a goal printed as NOT met, 2 bad arguments.
 * Permissions: read, write (bench/.data), run (/usr/bin/time, bash, deno), env, sys.
 */
import { runSizePart } from "./_scale_size.ts";
import { runSubjectsPart } from "./_scale_subjects.ts";
import { runManifestPart } from "./_scale_manifest.ts";
import { runWorkersPart } from "./_scale_workers.ts";

const PARTS: Record<string, (args: string[]) => Promise<number>> = {
  a: runSizePart,
  b: runSubjectsPart,
  c: runManifestPart,
  d: runWorkersPart,
};

/** The parts `--part X` / `--part=X,Y` select (all without one); null when one is unknown. */
export function selectParts(args: readonly string[]): string[] | null {
  const picked: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = a === "--part" ? args[++i] : a.startsWith("--part=") ? a.slice(7) : undefined;
    if (value === undefined) continue;
    for (const p of value.split(",")) picked.push(p.trim().toLowerCase());
  }
  if (picked.some((p) => !(p in PARTS))) return null;
  return picked.length ? Object.keys(PARTS).filter((p) => picked.includes(p)) : Object.keys(PARTS);
}

export default async function main(args: string[]): Promise<number> {
  const parts = selectParts(args);
  if (!parts) {
    console.error(
      "Cannot run bench scale: --part takes a, b, c or d (comma-separated or repeated)",
    );
    return 2;
  }
  let worst = 0;
  for (const p of parts) {
    const code = await PARTS[p](args);
    if (code === 2) return 2;
    worst = Math.max(worst, code > 0 ? 1 : 0);
  }
  return worst;
}
