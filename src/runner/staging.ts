/**
 * Staged outputs: a worker writes every output of a subject into this run's private staging
 * folder (`<out>/.medprep-tmp-run-…/`), under a name derived from its final name; only when the
 * subject is complete does the main thread publish them — each moved to its final name in one
 * atomic rename, in one synchronous step, before the subject is recorded done. So at every
 * instant a final name holds either what was there before the run or a complete output of a
 * subject this run finished; failures and interrupts remove staged files only, never a final
 * name, and a publish that fails half-way puts back what each name held before (kept aside as
 * a hard link while it publishes). Permissions: --allow-read, --allow-write (the output folder).
 */
import { sha256Bytes } from "../nifti/hash.ts";
import type { SubjectRecord } from "../provenance/types.ts";
import {
  assertConfined,
  assertStillResolved,
  createParents,
  OutDirMovedError,
  removeConfined,
} from "./confine.ts";

/** Where the output with final name `rel` is staged (same name in worker and main thread). */
export function stagedPathOf(stagingDir: string, rel: string): string {
  const ext = rel.match(/(\.[A-Za-z0-9]+)*$/)?.[0] ?? ""; // `.nii.gz` decides gzip
  return `${stagingDir}/${sha256Bytes(rel).slice(0, 40)}${ext}`;
}

/**
 * Hard-links what is at `target` (a file or a link, never followed) to `aside` and returns
 * `aside`; undefined when nothing is there or a folder is (a rename onto a folder fails).
 */
function keepAside(target: string, aside: string): string | undefined {
  let info: Deno.FileInfo;
  try {
    info = Deno.lstatSync(target);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
  if (info.isDirectory) return undefined;
  Deno.linkSync(target, aside);
  return aside;
}

/** Publishes finished subjects of one run. */
export interface Publisher {
  /**
   * Moves a done subject's staged outputs to their final names and returns the record; when
   * that is impossible, removes what it moved and staged and returns the record as failed.
   * Records of other statuses only have their staged files removed.
   * @throws OutDirMovedError when `--out` no longer leads to the run's folder (checked first):
   * the run must stop, nothing is moved or removed
   */
  publish(record: SubjectRecord): SubjectRecord;
}

/**
 * A publisher for the run staging into `stagingDir` inside the real output folder `outDir`;
 * `guard` (default `assertStillResolved`) runs before each subject is published or discarded.
 */
export function createPublisher(
  outDir: string,
  stagingDir: string,
  options: { guard?: () => void } = {},
): Publisher {
  const guard = options.guard ?? (() => assertStillResolved(outDir));
  const discard = (record: SubjectRecord) => {
    for (const o of record.outputs) removeConfined(outDir, stagedPathOf(stagingDir, o.path));
  };
  return {
    publish(record) {
      guard();
      if (record.status !== "done") {
        discard(record);
        return record;
      }
      // Each final name replaced, with a hard link to what was there before (file or link):
      // a failed publish renames it back, so the name again holds exactly that file.
      const moved: { target: string; before?: string }[] = [];
      const created: string[] = [];
      let aside: string | undefined;
      try {
        for (const o of record.outputs) assertConfined(outDir, o.path);
        for (const o of record.outputs) {
          created.push(...createParents(outDir, o.path));
          const target = `${outDir}/${o.path}`;
          aside = keepAside(target, `${stagingDir}/.replaced-${crypto.randomUUID()}`);
          Deno.renameSync(stagedPathOf(stagingDir, o.path), target);
          moved.push({ target, before: aside });
          aside = undefined;
        }
        for (const m of moved) if (m.before) removeConfined(outDir, m.before);
        return record;
      } catch (e) {
        if (e instanceof OutDirMovedError) throw e; // nothing there may be touched any more
        // Only what this run just moved or created is undone; staged leftovers removed too.
        if (aside) removeConfined(outDir, aside);
        for (const { target, before } of moved.reverse()) {
          if (!before) removeConfined(outDir, target);
          else {
            try {
              Deno.renameSync(before, target);
            } catch { /* left in staging; the sweep reports what it cannot remove */ }
          }
        }
        for (const dir of created.reverse()) removeConfined(outDir, dir);
        discard(record);
        return {
          ...record,
          status: "failed",
          outputs: [],
          error: {
            step: -1,
            name: "publish",
            message: e instanceof Error ? e.message : String(e),
          },
        };
      }
    },
  };
}
