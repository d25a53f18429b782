/**
 * Applies a recipe to one subject: load → steps → save. Pure orchestration: it looks up each
 * step in the registry and branches on its `kind` only (never on a name); file access goes
 * through the injected `SubjectIo`. Augmentation steps with `copies(params) > 1` fork the
 * subject there; copies run depth-first so only one copy's volumes are alive at a time.
 */
import { pairPartner } from "../nifti/nifti_paths.ts";
import { STEPS } from "../steps/registry.ts";
import type { Item, StepDefinition, StepRecord, Subject } from "../steps/step.ts";
import { deriveSeed } from "../random/rng.ts";
import type { Volume } from "../volume/volume.ts";
import { deriveSpacing } from "../volume/volume.ts";
import type { Job, WorkerInit } from "./messages.ts";
import { deriveOutputPath, deriveRoles, type SaveParams } from "./output_paths.ts";
import { stagedPathOf } from "./staging.ts";
import { describeFailure } from "./failure_message.ts";
import {
  affineRecord,
  type GeometryRecord,
  type ItemRecord,
  type SubjectRecord,
} from "../provenance/types.ts";

/** A volume encoded for saving (SPEC §2 dtype rule). */
export interface EncodedVolume {
  volume: Volume;
  dtype: string;
  reason: string;
  clamped: number;
}

/** File access and encoding a subject run needs; the worker passes the real ones. */
export interface SubjectIo {
  read(path: string, options: { maxBytes: number }): Volume;
  /** Writes atomically (temp file + rename); gzip iff the name ends in .gz. */
  write(path: string, volume: Volume, options: { level: number }): void;
  /** Moves a file (same file system: atomic). */
  rename(from: string, to: string): void;
  sha256(path: string): string;
  encode(item: Item, dtype: string): EncodedVolume;
  remove(path: string): void;
  mkdir(path: string): void;
}

/** Grid of a volume as provenance records it. */
export function geometryRecord(volume: Volume): GeometryRecord {
  return {
    shape: [volume.shape[0], volume.shape[1], volume.shape[2]],
    frames: volume.frames,
    spacing: deriveSpacing(volume),
    affine: affineRecord(volume.affine),
  };
}

function itemRecords(subject: Subject): ItemRecord[] {
  return subject.items.map((it) => ({
    role: it.role,
    dtype: it.volume.dtype,
    ...geometryRecord(it.volume),
  }));
}

function lookup(registry: readonly StepDefinition[], name: string): StepDefinition {
  const def = registry.find((s) => s.name === name);
  if (!def) throw new Error(`Cannot run step "${name}": it is not in the registry`);
  return def;
}

/** Runs the recipe on one subject and returns its provenance record (never throws). */
export function runSubject(
  job: Job,
  init: WorkerInit,
  options: { io: SubjectIo; registry?: readonly StepDefinition[] },
): SubjectRecord {
  const { io } = options;
  const registry = options.registry ?? STEPS;
  const { recipe } = init;
  const record: SubjectRecord = {
    id: job.id,
    row: job.row,
    status: "done",
    inputs: [],
    steps: [],
    outputs: [],
    warnings: [],
  };
  let defs: StepDefinition[] = [];
  // Copies made by the steps after index s (to follow only the replayed copy).
  let after: number[] = [];
  let current = -1;

  const load = (params: StepRecord): Subject => {
    const labels = (params.labels as string[] | undefined) ?? [];
    const roles = deriveRoles(params as { roles?: string[] }, job.paths);
    const items: Item[] = roles.map((role) => {
      const path = job.paths[role];
      if (!path) throw new Error(`Cannot load role "${role}": the manifest row has no file for it`);
      const volume = io.read(path, { maxBytes: init.maxInputBytes });
      const label = labels.includes(role);
      const partner = pairPartner(path);
      record.inputs.push({
        role,
        label,
        path,
        sha256: io.sha256(path),
        ...(partner ? { pairedFile: { path: partner, sha256: io.sha256(partner) } } : {}),
        dtype: volume.dtype,
        ...geometryRecord(volume),
      });
      return {
        role,
        label,
        volume,
        inputDType: volume.dtype,
        inputSlope: volume.slope,
        inputInter: volume.inter,
        sourcePath: path,
      };
    });
    return { id: job.id, copy: 0, items };
  };

  const writtenPath = (rel: string) =>
    init.stagingDir ? stagedPathOf(init.stagingDir, rel) : `${init.outDir}/${rel}`;
  const save = (subject: Subject, params: SaveParams) => {
    for (const item of subject.items) {
      const encoded = io.encode(item, params.dtype);
      const rel = deriveOutputPath(params, { ...item, id: job.id, copy: subject.copy });
      // Staged: the main thread publishes all outputs of the subject once it is complete.
      const abs = writtenPath(rel);
      if (!init.stagingDir) {
        const slash = abs.lastIndexOf("/");
        if (slash > init.outDir.length) io.mkdir(abs.slice(0, slash));
      }
      io.write(abs, encoded.volume, { level: params.compression });
      record.outputs.push({
        role: item.role,
        copy: subject.copy,
        path: rel,
        sha256: io.sha256(abs),
        dtype: encoded.dtype,
        dtypeReason: encoded.reason,
        clamped: encoded.clamped,
      });
      if (encoded.clamped > 0) {
        record.warnings.push(
          `${rel}: ${encoded.clamped} voxels clamped into the range of ${encoded.dtype}`,
        );
      }
    }
  };

  const walk = (start: number, input: Subject | null, forked: boolean): void => {
    let subject = input;
    for (let s = start; s < defs.length; s++) {
      current = s;
      const def = defs[s];
      const params = recipe.steps[s].params;
      if (def.kind === "source") {
        subject = load(params);
        continue;
      }
      if (!subject) {
        throw new Error("no subject loaded before this step (the first step must be a source)");
      }
      if (def.kind === "sink") {
        save(subject, params as unknown as SaveParams);
        continue;
      }
      const n = def.copies?.(params) ?? 1;
      if (n > 1 && !forked) {
        for (let k = 0; k < n; k++) {
          const copy = subject.copy * n + k;
          const target = job.replay?.copy;
          if (target !== undefined && Math.floor(target / after[s]) !== copy) continue;
          walk(s, { ...subject, copy }, true);
        }
        return;
      }
      forked = false;
      if (!def.apply) throw new Error(`step kind "${def.kind}" needs apply()`);
      const seed = deriveSeed(recipe.seed, job.id, s, subject.copy);
      const copy = subject.copy;
      const replay = job.replay?.steps.find((e) => e.index === s && e.copy === copy)?.record;
      const t0 = performance.now();
      const result = def.apply(subject, params, {
        subjectId: job.id,
        stepIndex: s,
        copy,
        seed,
        replay,
        warn: (m) => record.warnings.push(`steps[${s}] (${def.name}): ${m}`),
      });
      const ms = Math.round((performance.now() - t0) * 10) / 10;
      subject = result.subject;
      record.steps.push({
        index: s,
        name: def.name,
        copy,
        seed,
        params,
        record: result.record ?? {},
        items: itemRecords(subject),
        ms,
      });
    }
  };

  try {
    defs = recipe.steps.map((s) => lookup(registry, s.step));
    after = defs.map((_, s) =>
      defs.slice(s + 1).reduce(
        (n, d, i) => n * (d.copies?.(recipe.steps[s + 1 + i].params) ?? 1),
        1,
      )
    );
    walk(0, null, false);
  } catch (e) {
    const name = current >= 0 ? defs[current]?.name ?? "" : "";
    record.status = "failed";
    record.error = { step: current, name, message: describeFailure(e) };
    for (const out of record.outputs) {
      try {
        io.remove(writtenPath(out.path));
      } catch { /* already gone */ }
    }
    record.outputs = [];
  }
  return record;
}
