/**
 * Sharding for clusters: `--shard I/N` (1-based) keeps the subjects whose position in the
 * id-sorted manifest is ≡ I−1 (mod N), a deterministic, balanced split; `--shard auto` reads I
 * and N from a SLURM array job (SLURM_ARRAY_TASK_ID with SLURM_ARRAY_TASK_MIN and _MAX or
 * _COUNT) or a Kubernetes Indexed Job (JOB_COMPLETION_INDEX, N from `--shard-count`).
 */
import { compareIds } from "../provenance/merge.ts";

/** One shard: 1-based index of count. */
export interface Shard {
  index: number;
  count: number;
}

function int(text: string | undefined): number | undefined {
  if (text === undefined || !/^\s*-?\d+\s*$/.test(text)) return undefined;
  return Number(text);
}

function check(shard: Shard, source: string): Shard {
  if (!Number.isSafeInteger(shard.count) || shard.count < 1) {
    throw new Error(`Cannot use shard ${source}: the shard count must be a positive integer`);
  }
  if (!Number.isSafeInteger(shard.index) || shard.index < 1 || shard.index > shard.count) {
    throw new Error(`Cannot use shard ${source}: the index must be between 1 and ${shard.count}`);
  }
  return shard;
}

/**
 * Parses `I/N` or `auto` (with `env` lookups and `shardCount` for Kubernetes).
 * @throws Error with a one-line reason when the value or the environment is unusable
 */
export function parseShard(
  text: string,
  options: { env: (name: string) => string | undefined; shardCount?: number },
): Shard {
  if (text !== "auto") {
    const m = /^(\d+)\/(\d+)$/.exec(text.trim());
    if (!m) throw new Error(`Cannot use shard "${text}": write it as I/N (e.g. 1/4) or auto`);
    return check({ index: Number(m[1]), count: Number(m[2]) }, `"${text}"`);
  }
  const { env } = options;
  const id = int(env("SLURM_ARRAY_TASK_ID"));
  if (id !== undefined) {
    const min = int(env("SLURM_ARRAY_TASK_MIN")) ?? 0;
    const max = int(env("SLURM_ARRAY_TASK_MAX"));
    const count = options.shardCount ?? int(env("SLURM_ARRAY_TASK_COUNT")) ??
      (max !== undefined ? max - min + 1 : undefined);
    if (count === undefined) {
      throw new Error(
        "Cannot use shard auto: SLURM_ARRAY_TASK_ID is set but neither SLURM_ARRAY_TASK_MAX nor SLURM_ARRAY_TASK_COUNT; give --shard-count",
      );
    }
    return check({ index: id - min + 1, count }, `auto (SLURM task ${id}, min ${min})`);
  }
  const k8s = int(env("JOB_COMPLETION_INDEX"));
  if (k8s !== undefined) {
    if (options.shardCount === undefined) {
      throw new Error(
        "Cannot use shard auto: JOB_COMPLETION_INDEX is set; give the number of completions with --shard-count",
      );
    }
    return check({ index: k8s + 1, count: options.shardCount }, `auto (completion index ${k8s})`);
  }
  throw new Error(
    "Cannot use shard auto: neither SLURM_ARRAY_TASK_ID nor JOB_COMPLETION_INDEX is set",
  );
}

/** The ids of `shard`, from all ids (any order): every N-th of the sorted list. */
export function selectShard(ids: readonly string[], shard: Shard): string[] {
  return [...ids].sort(compareIds).filter((_, i) => i % shard.count === shard.index - 1);
}

/** Provenance file name of a run: `provenance.json` or `provenance.shard-I-of-N.json`. */
export function provenanceFileName(shard: Shard | null): string {
  return shard ? `provenance.shard-${shard.index}-of-${shard.count}.json` : "provenance.json";
}
