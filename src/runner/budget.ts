/**
 * The memory budget of a run (issue #10.6): the budget per worker, the number of workers the
 * machine can hold, and the refusal message when a subject's estimated peak (steps/memory.ts)
 * exceeds the budget. Pure: the callers read the headers and the machine's memory.
 */
import type { PeakEstimate, StepPeak } from "../steps/memory.ts";
import { formatBytes } from "./disk_space.ts";

/** Fixed cost of one worker thread (isolate, code, zlib), for capping `--workers`. */
export const WORKER_OVERHEAD = 64 << 20;
/** Smallest budget per worker when `--workers` is capped by memory. */
const MIN_WORKER_BUDGET = 256 << 20;
/** Part of the RAM the default budget shares among workers (the rest: OS, main thread, GC lag). */
export const RAM_SHARE = 0.5;

/** The first step whose working set exceeds `budget` (the one that makes the data big). */
export function firstOverBudget(estimate: PeakEstimate, budget: number): StepPeak | undefined {
  return estimate.steps.find((s) => s.bytes > budget);
}

/** The one-line refusal when `estimate` exceeds `budget`, naming the first step over it. */
export function describeOverBudget(
  estimate: PeakEstimate,
  budget: number,
  source: string,
): string | undefined {
  const at = firstOverBudget(estimate, budget);
  if (!at) return undefined;
  return `Cannot run steps[${at.step}] (${at.name}) within the memory budget: it needs about ${
    formatBytes(at.bytes)
  } (${at.detail}), over the ${formatBytes(budget)} per worker (${source}); ` +
    "lower the output resolution, run fewer workers, or raise MEDPREP_MAX_BYTES";
}

/** Where the budget comes from, for messages. */
export interface Budget {
  /** Bytes one worker may use for one subject. */
  bytes: number;
  source: string;
}

/**
 * The per-worker budget: MEDPREP_MAX_BYTES (or `--max-memory`) when given, else
 * RAM × RAM_SHARE / workers.
 */
export function deriveBudget(
  workers: number,
  machine: { totalMemory?: number; maxBytes?: number },
): Budget {
  if (machine.maxBytes !== undefined && machine.maxBytes > 0) {
    return { bytes: machine.maxBytes, source: "MEDPREP_MAX_BYTES" };
  }
  if (!machine.totalMemory) {
    return { bytes: Number.MAX_SAFE_INTEGER, source: "memory size unknown: no budget" };
  }
  const bytes = Math.floor((machine.totalMemory * RAM_SHARE) / Math.max(1, workers));
  return {
    bytes,
    source: `${RAM_SHARE * 100}% of ${formatBytes(machine.totalMemory)} RAM / ${workers} worker${
      workers === 1 ? "" : "s"
    }`,
  };
}

/**
 * Workers to start: the request (default: the cores), at most one per core and per
 * MIN_WORKER_BUDGET of the RAM share, at most one per subject; `note` explains a cap of an
 * explicit request.
 */
export function capWorkers(
  requested: number | undefined,
  machine: { cores: number; totalMemory?: number; subjects: number },
): { workers: number; note?: string } {
  const cores = Math.max(1, machine.cores);
  const byMemory = machine.totalMemory
    ? Math.max(
      1,
      Math.floor((machine.totalMemory * RAM_SHARE) / (MIN_WORKER_BUDGET + WORKER_OVERHEAD)),
    )
    : Infinity;
  const want = Math.max(1, requested ?? cores);
  const limit = Math.min(cores, byMemory);
  const workers = Math.max(1, Math.min(want, limit, Math.max(1, machine.subjects)));
  if (requested === undefined || requested <= limit) return { workers };
  const why = limit === cores
    ? `${cores} core${cores === 1 ? "" : "s"}`
    : `${formatBytes(machine.totalMemory!)} RAM`;
  return {
    workers,
    note:
      `medprep: --workers ${requested} capped to ${limit} (${why}); more workers than that only add memory`,
  };
}
