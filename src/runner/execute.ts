/**
 * The working phase of a run: jobs through the worker pool with live progress, SIGINT/SIGTERM
 * stopping it (in-flight subjects interrupted, queued ones pending). The signal listener stays
 * until `release()`, so a second Ctrl-C cannot cut short the clean-up and provenance write.
 */
import type { SubjectRecord } from "../provenance/types.ts";
import { isDiskFull } from "./disk_space.ts";
import { listenForInterrupt } from "./interrupt.ts";
import type { Job } from "./messages.ts";
import { abortedRecord, createPool, type PoolOptions } from "./pool.ts";
import { createProgress, type ProgressMode } from "./progress.ts";

/** What the working phase produced. */
export interface Execution {
  /** One record per job: done, failed, interrupted or pending. */
  records: SubjectRecord[];
  interrupted: boolean;
  /** A subject failed for lack of disk space: no further subject was started. */
  diskFull: boolean;
  /**
   * Why the run stopped when `publish` threw (`--out` moved or replaced by a link): the
   * workers were stopped and nothing was published or recorded after it.
   */
  stopped?: string;
  /** Stops listening for signals (call after the provenance is written). */
  release(): void;
}

function failureLine(record: SubjectRecord): string | undefined {
  const e = record.error;
  if (record.status !== "failed" || !e) return undefined;
  return `medprep: subject "${record.id}" (row ${record.row}) failed at steps[${e.step}] (${e.name}): ${e.message}`;
}

/** Runs `jobs` in a pool of workers and collects their records. */
export async function executeJobs(
  jobs: readonly Job[],
  options: PoolOptions & {
    progress: ProgressMode;
    /**
     * Publishes a finished subject's outputs (synchronously, before it counts as done); when it
     * throws, the run stops (`Execution.stopped`).
     */
    publish?: (record: SubjectRecord) => SubjectRecord;
    /** Called with each record once published (the provenance journal). */
    onRecord?: (record: SubjectRecord) => void;
  },
): Promise<Execution> {
  const records: SubjectRecord[] = [];
  const progress = createProgress(jobs.length, options.progress);
  const pool = createPool(options);
  let interrupted = false, finishing = false, diskFull = false;
  let stopped: string | undefined;
  const release = listenForInterrupt((signal) => {
    if (finishing) return;
    interrupted = true;
    progress.note(`medprep: ${signal}: stopping; finished subjects are kept`);
    pool.stop();
  });
  let pending: Job[];
  try {
    pending = await pool.run(jobs, (received) => {
      if (stopped !== undefined) {
        records.push(received); // neither published nor recorded
        return;
      }
      let record: SubjectRecord;
      try {
        record = options.publish ? options.publish(received) : received;
      } catch (e) {
        stopped = e instanceof Error ? e.message : String(e);
        records.push(received);
        pool.stop();
        return;
      }
      records.push(record);
      options.onRecord?.(record);
      if (record.status === "interrupted") return; // not finished: neither done nor failed
      if (record.status === "failed" && !diskFull && isDiskFull(record.error?.message ?? "")) {
        diskFull = true;
        progress.note("medprep: the disk is full: no further subject is started");
        pool.drain();
      }
      for (const w of record.warnings) {
        progress.warn(`medprep: warning: subject "${record.id}": ${w}`);
      }
      progress.tick(record.status === "done", failureLine(record));
    });
  } catch (e) {
    // A worker could not start: what finished is kept, the rest is failed with the reason.
    const message = e instanceof Error ? e.message : String(e);
    console.error(`medprep: ${message}`);
    const seen = new Set(records.map((r) => r.id));
    for (const job of jobs) {
      if (!seen.has(job.id)) records.push(abortedRecord(job, "failed", message));
    }
    pending = [];
  } finally {
    finishing = true;
    progress.stop();
  }
  for (const job of pending) {
    records.push({ ...abortedRecord(job, "interrupted", ""), status: "pending", error: undefined });
  }
  return { records, interrupted, diskFull, ...(stopped !== undefined ? { stopped } : {}), release };
}
