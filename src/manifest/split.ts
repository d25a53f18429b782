/**
 * Cross-validation folds for a manifest (`medprep split`): deterministic from the seed alone,
 * grouped (every row of a group — a patient — lands in one fold) and stratified (each class
 * spread evenly over the folds).
 *
 * Algorithm: rows are gathered into groups (`group` column, else one group per id); a group's
 * stratum is the sorted set of `stratify` values of its rows (`0`, `1`, or `0|1` for a patient
 * with both kinds of scan). Strata are taken in sorted order; within one, groups are sorted by
 * key, shuffled with the seeded generator (src/random/rng.ts), then stably sorted by size
 * (largest first), and each goes to the fold holding the fewest rows of its stratum, ties to
 * the fold with the fewest rows overall, then the lowest fold. Without groups, every stratum's
 * fold counts differ by at most one and the fold sizes by at most one. The result depends on the
 * rows' ids and values and the seed, never on the manifest's row order.
 */
import { createRng } from "../random/rng.ts";
import { cellText } from "./where.ts";
import type { ManifestRow } from "./types.ts";

/** How to split. */
export interface SplitOptions {
  folds: number;
  seed: number;
  /** Metadata column naming the group (patient): a group never spans folds. */
  group?: string;
  /** Metadata column whose values are balanced across folds. */
  stratify?: string;
}

/** Folds of a manifest's rows. */
export interface Split {
  /** Subject id → fold (0-based). */
  folds: Map<string, number>;
  /** Per fold: rows, and rows per stratum value (when stratified). */
  counts: { rows: number; strata: Record<string, number> }[];
  /** Number of groups. */
  groups: number;
}

/** A problem with the split's input, naming the row. */
export interface SplitProblem {
  row?: ManifestRow;
  message: string;
}

const compare = (a: string, b: string) => a < b ? -1 : a > b ? 1 : 0;

/** Problems that make a split impossible (missing group/stratify cells, too few groups). */
export function splitProblems(rows: readonly ManifestRow[], options: SplitOptions): SplitProblem[] {
  const problems: SplitProblem[] = [];
  for (const column of [options.group, options.stratify]) {
    if (column === undefined) continue;
    for (const row of rows) {
      if (cellText(row, column) === "") {
        problems.push({ row, message: `Cannot split subject "${row.id}": its ${column} is empty` });
      }
    }
  }
  const groups = new Set(rows.map((r) => options.group ? cellText(r, options.group) : r.id));
  if (problems.length === 0 && groups.size < options.folds) {
    problems.push({
      message: `Cannot make ${options.folds} folds from ${groups.size} ${
        options.group ? `groups (${options.group})` : "subjects"
      }: every fold needs at least one`,
    });
  }
  return problems;
}

/** Assigns every row a fold; see the module comment. Call `splitProblems` first. */
export function splitFolds(rows: readonly ManifestRow[], options: SplitOptions): Split {
  const groups = new Map<string, ManifestRow[]>();
  for (const row of rows) {
    const key = options.group ? cellText(row, options.group) : row.id;
    const list = groups.get(key) ?? [];
    list.push(row);
    groups.set(key, list);
  }
  const strata = new Map<string, string[]>();
  for (const [key, members] of groups) {
    const values = options.stratify
      ? [...new Set(members.map((r) => cellText(r, options.stratify!)))].sort(compare)
      : [];
    const stratum = values.join("|");
    strata.set(stratum, [...(strata.get(stratum) ?? []), key]);
  }
  const rng = createRng(options.seed);
  const folds = new Map<string, number>();
  const total = new Array<number>(options.folds).fill(0);
  const counts = total.map(() => ({ rows: 0, strata: {} as Record<string, number> }));
  for (const stratum of [...strata.keys()].sort(compare)) {
    const keys = strata.get(stratum)!.sort(compare);
    for (let i = keys.length - 1; i > 0; i--) {
      const j = rng.int(0, i);
      [keys[i], keys[j]] = [keys[j], keys[i]];
    }
    const ordered = keys.map((k, order) => ({ k, order, size: groups.get(k)!.length }))
      .sort((a, b) => b.size - a.size || a.order - b.order);
    const inStratum = new Array<number>(options.folds).fill(0);
    for (const { k, size } of ordered) {
      let best = 0;
      for (let f = 1; f < options.folds; f++) {
        if (
          inStratum[f] < inStratum[best] ||
          (inStratum[f] === inStratum[best] && total[f] < total[best])
        ) best = f;
      }
      inStratum[best] += size;
      total[best] += size;
      for (const row of groups.get(k)!) {
        folds.set(row.id, best);
        counts[best].rows++;
        if (options.stratify) {
          const v = cellText(row, options.stratify);
          counts[best].strata[v] = (counts[best].strata[v] ?? 0) + 1;
        }
      }
    }
  }
  return { folds, counts, groups: groups.size };
}

/** nnU-Net's `splits_final.json`: per fold, the ids to train on and to validate on (sorted). */
export function nnunetSplits(split: Split, folds: number): { train: string[]; val: string[] }[] {
  const ids = [...split.folds.keys()].sort(compare);
  return Array.from({ length: folds }, (_, f) => ({
    train: ids.filter((id) => split.folds.get(id) !== f),
    val: ids.filter((id) => split.folds.get(id) === f),
  }));
}
