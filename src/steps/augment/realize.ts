import { createRng, type Rng } from "../../random/rng.ts";
import { composeStages, pushForward, type Stage } from "../../volume/transform.ts";
import { frameLength } from "../../volume/volume.ts";
import type { Item, StepRecord } from "../step.ts";
import type { Grid } from "../../volume/grid.ts";
import type { AugmentTransform, Realized } from "./augment_transform.ts";

/** One transform of the recipe: its definition and validated params. */
export interface TransformEntry {
  readonly def: AugmentTransform;
  readonly params: Record<string, unknown> & { p: number };
}

/** A transform as it happened for one sample (the provenance record entry). */
export type Happened = { name: string; fired: boolean } & Realized;

/** The realized sample: what happened per transform, the output grid and the pull-back chain. */
export interface Sample {
  readonly happened: Happened[];
  readonly grid: Grid;
  /** Composed pull-back chain (output index → input index); empty = identity. */
  readonly chain: Stage[];
}

function createPicker(labels: readonly Item[], stages: Stage[]) {
  return (rng: Rng, values?: readonly number[]): [number, number, number] | null => {
    const wanted = values ? new Set(values) : null;
    const hit = (it: Item, i: number) => {
      const v = Number(it.volume.data[i]) * it.volume.slope + it.volume.inter;
      return wanted ? wanted.has(v) : v !== 0 && !Number.isNaN(v);
    };
    let count = 0;
    for (const it of labels) {
      for (let i = 0; i < it.volume.data.length; i++) if (hit(it, i)) count++;
    }
    if (count === 0) return null;
    let r = rng.int(0, count - 1);
    for (const it of labels) {
      for (let i = 0; i < it.volume.data.length; i++) {
        if (hit(it, i) && r-- === 0) {
          const [nx, ny] = it.volume.shape, q = i % frameLength(it.volume);
          const p = [q % nx, Math.floor(q / nx) % ny, Math.floor(q / (nx * ny))];
          return pushForward([...stages].reverse(), p) as [number, number, number];
        }
      }
    }
    return null;
  };
}

function replayed(record: StepRecord, entries: readonly TransformEntry[]): Happened[] {
  const list = record.transforms;
  if (!Array.isArray(list) || list.length !== entries.length) {
    throw new Error(
      `Cannot replay augment record: it has ${
        Array.isArray(list) ? list.length : "no"
      } transforms, the recipe has ${entries.length}`,
    );
  }
  return list.map((h, i) => {
    const name = entries[i].def.name;
    if (h?.name !== name || typeof h.fired !== "boolean") {
      throw new Error(
        `Cannot replay transforms[${i}] "${h?.name}": the recipe has "${name}" there`,
      );
    }
    return h as Happened;
  });
}

/**
 * Draws every transform in order from `seed` (or takes the values of `record`),
 * following the grid through the spatial transforms so that crops see the grid
 * they act on.
 */
export function realizeSample(
  entries: readonly TransformEntry[],
  input: Grid,
  labels: readonly Item[],
  source: { seed: number; record?: StepRecord },
): Sample {
  const fromRecord = source.record ? replayed(source.record, entries) : null;
  const rng = createRng(source.seed);
  const stages: Stage[] = [];
  const pickLabelled = createPicker(labels, stages);
  const happened: Happened[] = [];
  let grid = input;
  entries.forEach((e, i) => {
    let h = fromRecord?.[i];
    if (!h) {
      const draws = e.def.fired ? true : rng.bernoulli(e.params.p);
      const values = draws ? e.def.draw(rng, e.params, { grid, pickLabelled }) : {};
      const fired = e.def.fired ? e.def.fired(values) : draws;
      h = { name: e.def.name, fired, ...values };
    }
    happened.push(h);
    if (h.fired && e.def.spatial) {
      const r = e.def.spatial(h, grid);
      grid = r.grid;
      if (r.stage) stages.push(r.stage);
    }
  });
  return { happened, grid, chain: composeStages([...stages].reverse()) };
}
