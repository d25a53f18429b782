/**
 * A pool of runner workers. Jobs are dispatched one at a time to idle workers; each finished
 * subject's record is handed to `onRecord` as it arrives. A worker that crashes (uncaught
 * error, terminate) marks its subject failed and is replaced; `stop()` terminates every worker
 * (in-flight subjects are reported as interrupted) and leaves the rest of the queue undone.
 */
import type { SubjectRecord } from "../provenance/types.ts";
import { describeFailure } from "./failure_message.ts";
import type { FromWorker, Job, ToWorker, WorkerInit } from "./messages.ts";

/** How to start the workers. */
export interface PoolOptions {
  size: number;
  init: WorkerInit;
  /** Least-privilege permissions of every worker. */
  permissions: Deno.PermissionOptionsObject;
  /** Worker module (default `./worker.ts`); tests inject others. */
  workerUrl?: URL;
}

/** A running pool. */
export interface Pool {
  /** Processes `jobs`; resolves when all are done or `stop()` was called; returns undone jobs. */
  run(jobs: readonly Job[], onRecord: (record: SubjectRecord) => void): Promise<Job[]>;
  /** Terminates every worker now; in-flight jobs are reported as interrupted. */
  stop(): void;
  /** Starts no further job; in-flight jobs finish; `run` then returns the rest as undone. */
  drain(): void;
}

interface Slot {
  worker: Worker;
  job?: Job;
  ready: boolean;
  dead: boolean;
}

/**
 * Least privilege for runner workers: read the jobs' input files (with the other half of a
 * `.hdr`/`.img` pair exactly as resolved in `job.pairs`) and `dir` (to hash what was written),
 * write only `dir` — the run's staging folder, so a worker cannot write any final name (the main
 * thread publishes); no network, environment, subprocesses or system info, and FFI only for
 * the system libdeflate when given (`libdeflate`: decompression of the inputs; see
 * nifti/libdeflate.ts). Module loading needs no read grant. `files`: the files steps read
 * besides the manifest's (a `reference`).
 * Inputs reached through a symbolic link are granted as named and as resolved (`withRealPaths`).
 */
export function deriveWorkerPermissions(
  dir: string,
  jobs: readonly Job[],
  files: readonly string[] = [],
  libdeflate?: string,
): Deno.PermissionOptionsObject {
  const inputs = new Set(
    jobs.flatMap((j) =>
      Object.values(j.paths).filter(Boolean).flatMap((p) => j.pairs?.[p] ? [p, j.pairs[p]] : [p])
    ),
  );
  return {
    read: withRealPaths([dir, ...inputs, ...files]),
    write: [dir],
    net: false,
    env: false,
    run: false,
    sys: false,
    ffi: libdeflate ? [libdeflate] : false,
  };
}

/**
 * `paths` and, after each one reached through a symbolic link, the file it resolves to: Deno
 * checks a read on the resolved path, so a linked data folder needs both granted.
 */
function withRealPaths(paths: readonly string[]): string[] {
  const out = new Set(paths);
  for (const p of paths) {
    try {
      out.add(Deno.realPathSync(p));
    } catch { /* missing: the worker's read reports it */ }
  }
  return [...out];
}

/** A record for a subject that ended outside the recipe (crash, interrupt). */
export function abortedRecord(
  job: Job,
  status: "failed" | "interrupted",
  message: string,
): SubjectRecord {
  return {
    id: job.id,
    row: job.row,
    status,
    inputs: [],
    steps: [],
    outputs: [],
    warnings: [],
    error: { step: -1, name: status === "failed" ? "worker" : "interrupt", message },
  };
}

/** Creates a pool of `size` module workers. */
export function createPool(options: PoolOptions): Pool {
  const url = options.workerUrl ?? new URL("./worker.ts", import.meta.url);
  const slots: Slot[] = [];
  let queue: Job[] = [];
  let stopped = false;
  let draining = false;
  let onRecord: (record: SubjectRecord) => void = () => {};
  let finish: (() => void) | undefined;
  let fail: ((e: Error) => void) | undefined;

  const send = (slot: Slot, message: ToWorker) => slot.worker.postMessage(message);
  const settle = () => {
    if (slots.every((s) => s.dead || !s.job) && (queue.length === 0 || stopped || draining)) {
      for (const s of slots) if (!s.dead) kill(s);
      finish?.();
    }
  };
  const kill = (slot: Slot) => {
    slot.dead = true;
    slot.worker.terminate();
  };
  const feed = (slot: Slot) => {
    const job = stopped || draining ? undefined : queue.shift();
    if (!job) {
      kill(slot);
      settle();
      return;
    }
    slot.job = job;
    send(slot, { type: "job", job });
  };
  const spawn = (): Slot => {
    const worker = new Worker(url, {
      type: "module",
      name: `medprep-worker-${slots.length}`,
      deno: { permissions: options.permissions },
    });
    const slot: Slot = { worker, ready: false, dead: false };
    worker.onmessage = (event: MessageEvent<FromWorker>) => {
      const message = event.data;
      if (message.type === "ready") {
        slot.ready = true;
        feed(slot);
      } else if (message.type === "done") {
        slot.job = undefined;
        onRecord(message.record);
        feed(slot);
      } else {
        abortAll(new Error(message.message));
      }
    };
    worker.onerror = (event) => {
      event.preventDefault();
      crash(slot, event.message ?? "uncaught error");
    };
    worker.onmessageerror = () => crash(slot, "a message could not be decoded");
    send(slot, { type: "init", init: options.init });
    slots.push(slot);
    return slot;
  };
  const crash = (slot: Slot, reason: string) => {
    if (slot.dead) return;
    kill(slot);
    if (!slot.ready) {
      abortAll(new Error(`Cannot start a runner worker: ${reason}`));
      return;
    }
    if (slot.job) {
      onRecord(abortedRecord(slot.job, "failed", `Worker crashed: ${describeFailure(reason)}`));
      slot.job = undefined;
    }
    if (!stopped && !draining && queue.length > 0) spawn();
    settle();
  };
  const abortAll = (error: Error) => {
    stopped = true;
    for (const s of slots) if (!s.dead) kill(s);
    fail?.(error);
  };

  return {
    run(jobs, callback) {
      queue = [...jobs];
      onRecord = callback;
      return new Promise<Job[]>((resolve, reject) => {
        finish = () => resolve(queue.splice(0));
        fail = reject;
        if (queue.length === 0) return finish();
        const n = Math.max(1, Math.min(options.size, queue.length));
        for (let i = 0; i < n; i++) spawn();
      });
    },
    stop() {
      if (stopped) return;
      stopped = true;
      for (const s of slots) {
        if (s.dead) continue;
        kill(s);
        if (s.job) onRecord(abortedRecord(s.job, "interrupted", "Interrupted before it finished"));
        s.job = undefined;
      }
      settle();
    },
    drain() {
      draining = true;
      settle();
    },
  };
}
