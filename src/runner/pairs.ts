/**
 * `.hdr`/`.img` pairs are resolved once, before a run: each job carries the other half of every
 * paired input (`job.pairs`, by input path), which is the one file the worker reads with it, the one extra file
 * it may read, and the one `--resume` compares.
 */
import { resolveNiftiPaths } from "../nifti/nifti_paths.ts";
import type { Job } from "./messages.ts";

/**
 * Jobs with `pairs` filled in. A missing other half is left unresolved: the worker's read
 * then fails that subject alone with the reader's message.
 */
export function resolvePairs(jobs: readonly Job[]): Job[] {
  return jobs.map((job) => {
    const pairs: Record<string, string> = {};
    for (const path of Object.values(job.paths)) {
      if (!path) continue;
      try {
        const p = resolveNiftiPaths(path);
        if (p.pair && p.header !== p.image) pairs[path] = p.header === path ? p.image : p.header;
      } catch { /* reported by the worker's read */ }
    }
    return Object.keys(pairs).length > 0 ? { ...job, pairs } : job;
  });
}
