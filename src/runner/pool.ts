/**
 * A pool of runner workers. Jobs are dispatched one at a time to idle workers; each finished
 * subject's record is handed to `onRecord` as it arrives. A worker that crashes (uncaught
 * error, terminate) marks its subject failed and is replaced; `stop()` terminates every worker
 * (in-flight subjects are reported as interrupted) and leaves the rest of the queue undone.
 *
 * Linear in the jobs (issue 15.3): the queue is read by index (Array.shift moves every element
 * of a large array: 10 s for 100,000 jobs), and with permissions derived per group of jobs a
 * worker is granted only its group's files — Deno checks each file access against the whole
 * granted list, so one list of every input made each access O(subjects) (8 ms per open at
 * 100,000). A worker whose next job belongs to the next group is replaced by one for it.
 */
import type { SubjectRecord } from "../provenance/types.ts";
import { describeFailure } from "./failure_message.ts";
import type { FromWorker, Job, ToWorker, WorkerInit } from "./messages.ts";
import type { FirstBuffers } from "./first_buffers.ts";
import { serveDeflateHelper } from "../nifti/deflate_helper.ts";

/** How to start the workers. */
export interface PoolOptions {
  size: number;
  init: WorkerInit;
  /**
   * Least-privilege permissions of every worker; a function is given the jobs of one group
   * (`groupSize` consecutive jobs) and makes the permissions of the workers that run them.
   */
  permissions:
    | Deno.PermissionOptionsObject
    | ((jobs: readonly Job[]) => Deno.PermissionOptionsObject);
  /** Jobs per permission group (default `PERMISSION_GROUP`). */
  groupSize?: number;
  /** Worker module (default `./worker.ts`); tests inject others. */
  workerUrl?: URL;
  /**
   * Starts preparing the input buffers (or reads) of a new worker's first job while the worker
   * starts (first_buffers.ts); they go to the worker with that job, transferred.
   */
  firstBuffers?: (job: Job) => FirstBuffers;
  /**
   * Serve a deflate helper for each worker on this thread (nifti/deflate_helper.ts), which
   * mostly waits for the workers; tests give the function that starts one.
   */
  deflateHelpers?: boolean | (() => ReturnType<typeof serveDeflateHelper>);
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
  /** The permission group whose files it may read. */
  group: number;
  /** Buffers being made ready for its first job. */
  first?: FirstBuffers;
  /** Its deflate helper (served by this thread), stopped with it. */
  helper?: { stop(): void };
}

/**
 * Jobs per worker permission group: a worker start (~0.3 s) per group against ~0.06 µs per
 * granted path on every file access; about the cheapest for tiny subjects.
 */
export const PERMISSION_GROUP = 1024;

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
  /** Index of the next job in `queue` (never shifted: O(1) per job). */
  let next = 0;
  const groupSize = Math.max(1, options.groupSize ?? PERMISSION_GROUP);
  const permissions = options.permissions;
  const groupOf = (index: number) =>
    typeof permissions === "function" ? Math.floor(index / groupSize) : 0;
  let cached: { group: number; permissions: Deno.PermissionOptionsObject } | undefined;
  const permissionsOf = (group: number): Deno.PermissionOptionsObject => {
    if (typeof permissions !== "function") return permissions;
    if (cached?.group !== group) {
      const jobs = queue.slice(group * groupSize, (group + 1) * groupSize);
      cached = { group, permissions: permissions(jobs) };
    }
    return cached.permissions;
  };
  let stopped = false;
  let draining = false;
  let onRecord: (record: SubjectRecord) => void = () => {};
  let finish: (() => void) | undefined;
  let fail: ((e: Error) => void) | undefined;

  const send = (slot: Slot, message: ToWorker, transfer: Transferable[] = []) =>
    slot.worker.postMessage(message, transfer);
  const settle = () => {
    if (slots.every((s) => s.dead || !s.job) && (next >= queue.length || stopped || draining)) {
      for (const s of slots) if (!s.dead) kill(s);
      finish?.();
    }
  };
  const kill = (slot: Slot) => {
    slot.dead = true;
    slot.first?.take(); // stops touching or reading; what was made is dropped with the slot
    slot.first = undefined;
    slot.worker.terminate();
    slot.helper?.stop();
  };
  const feed = (slot: Slot) => {
    if (stopped || draining || next >= queue.length) {
      kill(slot);
      settle();
      return;
    }
    const group = groupOf(next);
    if (group !== slot.group) {
      // The next job's files are not granted to this worker: one for its group takes over.
      kill(slot);
      try {
        spawn(group);
      } catch (e) {
        abortAll(new Error(`Cannot start a runner worker: ${(e as Error).message}`));
      }
      return;
    }
    const job = queue[next++];
    slot.job = job;
    const { buffers, reads } = slot.first?.take() ?? { buffers: [], reads: [] };
    slot.first = undefined;
    send(
      slot,
      {
        type: "job",
        job,
        ...(buffers.length ? { buffers } : {}),
        ...(reads.length ? { reads } : {}),
      },
      [...buffers, ...reads.map((r) => r.buffer)],
    );
  };
  const spawn = (group: number): Slot => {
    const worker = new Worker(url, {
      type: "module",
      name: `medprep-worker-${slots.length}`,
      deno: { permissions: permissionsOf(group) },
    });
    const slot: Slot = { worker, ready: false, dead: false, group };
    // Its first job is likely the one after those the group's other starting workers will take.
    const firstIndex = next + slots.filter((s) => !s.dead && !s.ready && s.group === group).length;
    if (options.firstBuffers && firstIndex < queue.length && groupOf(firstIndex) === group) {
      slot.first = options.firstBuffers(queue[firstIndex]);
    }
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
    const helpers = options.deflateHelpers;
    const helper = typeof helpers === "function"
      ? helpers()
      : helpers
      ? serveDeflateHelper()
      : undefined;
    slot.helper = helper;
    send(slot, {
      type: "init",
      init: helper ? { ...options.init, deflateHelper: helper.buffers } : options.init,
    });
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
    if (!stopped && !draining && next < queue.length) spawn(groupOf(next));
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
      next = 0;
      onRecord = callback;
      return new Promise<Job[]>((resolve, reject) => {
        finish = () => {
          const undone = queue.slice(next);
          next = queue.length;
          resolve(undone);
        };
        fail = reject;
        if (queue.length === 0) return finish();
        const n = Math.max(1, Math.min(options.size, queue.length));
        for (let i = 0; i < n; i++) spawn(0);
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
