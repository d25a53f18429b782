/**
 * Applies a bound plan to one subject: source → steps → sink. Pure orchestration: it branches on
 * each step's `kind` only (never on a name) and never reads a step's params itself; file access
 * goes through the injected `SubjectIo`. Augmentation steps with `copies > 1` fork the subject
 * there; copies run depth-first so only one copy's volumes are alive at a time.
 */
import type { FileDigest } from "../nifti/byte_stream.ts";
import { sha256Bytes } from "../nifti/hash.ts";
import { shearWarning, type WrittenFile } from "../nifti/nifti_write.ts";
import type { Plan } from "../recipe/plan.ts";
import {
  type EncodedVolume,
  type Item,
  mapImages,
  materializeItems,
  type SinkIo,
  type Subject,
} from "../steps/step.ts";
import { deriveSeed } from "../random/rng.ts";
import { collectContribution } from "../steps/dataset_stats.ts";
import type { Volume } from "../volume/volume.ts";
import { deriveSpacing, withoutCalibration } from "../volume/volume.ts";
import type { Job, WorkerInit } from "./messages.ts";
import { checkRolesShareGrid, recipeAlignsRoles } from "./grid_check.ts";
import { describeFailure } from "./failure_message.ts";
import { stagedPathOf } from "./staging.ts";
import { inputRecordFiles, outputMode } from "./input_files.ts";
import {
  affineRecord,
  type GeometryRecord,
  type ItemRecord,
  type SubjectRecord,
} from "../provenance/types.ts";

export type { EncodedVolume } from "../steps/step.ts";

/** File access and encoding a subject run needs; the worker passes the real ones. */
export interface SubjectIo {
  /**
   * Reads a volume and digests the bytes it decoded (one per file; a pair's header first);
   * `pairedWith` is the already resolved other half of a `.hdr`/`.img` pair.
   */
  read(
    path: string,
    options: { maxBytes: number; pairedWith?: string },
  ): { volume: Volume; files: FileDigest[] };
  /**
   * Writes atomically (temp file + rename); gzip iff the name ends in .gz; a new file gets
   * `mode` (before the umask). Returns the sha256 and size of the bytes written.
   */
  write(path: string, volume: Volume, options: { level: number; mode?: number }): WrittenFile;
  /** Writes raw bytes (a sink's own format); a new file gets `mode` (before the umask). */
  writeBytes(path: string, bytes: Uint8Array, options: { mode?: number }): void;
  /** Moves a file (same file system: atomic). */
  rename(from: string, to: string): void;
  /**
   * Called after each step with the buffers the subject's volumes still use: the worker's
   * pool may then hand every other buffer it gave out for this subject to the next step.
   */
  recycle?(live: ReadonlySet<ArrayBufferLike>): void;
  encode(item: Item, dtype: string, rounding?: string): EncodedVolume;
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
    dtype: it.saveEncoded?.between ?? it.volume.dtype, // as the float path records it
    ...geometryRecord(it.volume),
  }));
}

/** Where the output `rel` is written: staged (published by the main thread) or in place. */
function writtenPath(init: WorkerInit, rel: string): string {
  return init.stagingDir ? stagedPathOf(init.stagingDir, rel) : `${init.outDir}/${rel}`;
}

/**
 * The sink's view of the output directory, each file created no wider than `mode()` and
 * digested from the bytes written (into `digests`). With a staging folder every output is
 * written there only; the main thread moves all outputs of the subject into place once it is
 * done (staging.ts).
 */
function createSinkIo(
  io: SubjectIo,
  init: WorkerInit,
  written: string[],
  files: { mode: () => number; digests: Map<string, WrittenFile> },
): SinkIo {
  const place = (rel: string, write: (path: string) => WrittenFile) => {
    const abs = writtenPath(init, rel);
    if (!init.stagingDir) {
      const slash = abs.lastIndexOf("/");
      if (slash > init.outDir.length) io.mkdir(abs.slice(0, slash));
    }
    files.digests.set(rel, write(abs));
    written.push(rel);
  };
  return {
    encode: (item, dtype, rounding) => io.encode(item, dtype, rounding),
    writeVolume: (rel, volume, options) =>
      place(rel, (p) => io.write(p, volume, { ...options, mode: files.mode() })),
    writeBytes: (rel, bytes) =>
      place(rel, (p) => {
        io.writeBytes(p, bytes, { mode: files.mode() });
        return { sha256: sha256Bytes(bytes), size: bytes.length };
      }),
  };
}

/** Runs the plan on one subject and returns its provenance record (never throws). */
export function runSubject(
  job: Job,
  init: WorkerInit,
  options: { io: SubjectIo; plan: Plan },
): SubjectRecord {
  const { io, plan } = options;
  const record: SubjectRecord = {
    id: job.id,
    row: job.row,
    status: "done",
    ...(job.metadata ? { metadata: job.metadata } : {}),
    inputs: [],
    steps: [],
    outputs: [],
    warnings: [],
  };
  const written: string[] = [];
  // Issue 10.5: digests of the bytes read and written; outputs no wider than the inputs.
  const readFiles = new Map<string, FileDigest[]>();
  const digests = new Map<string, WrittenFile>();
  const mode = () => outputMode([...readFiles.values()].flat().map((f) => f.mode));
  const sinkIo = createSinkIo(io, init, written, { mode, digests });
  let current = -1;

  // Subjects alive while copies of an augment step run (their volumes must stay untouched).
  const held: Subject[] = [];
  const recycle = (current: Subject) => {
    if (!io.recycle) return;
    const live = new Set<ArrayBufferLike>();
    for (const s of [...held, current]) {
      for (const it of s.items) {
        live.add(it.volume.data.buffer);
        // Deferred values are computed from these on every read (issue 15).
        for (const b of it.deferred?.sources ?? []) live.add(b);
      }
    }
    io.recycle(live);
  };

  const walk = (start: number, input: Subject | null, forked: boolean): void => {
    let subject = input;
    for (let s = start; s < plan.steps.length; s++) {
      current = s;
      const step = plan.steps[s];
      const def = step.definition;
      if (def.kind === "source") {
        subject = def.read(job, step.params, {
          read: (path) => {
            const read = io.read(path, {
              maxBytes: init.maxInputBytes,
              pairedWith: job.pairs?.[path],
            });
            readFiles.set(path, read.files);
            return read.volume;
          },
        });
        for (const item of subject.items) {
          record.inputs.push({
            role: item.role,
            label: item.label,
            ...inputRecordFiles(item.sourcePath, readFiles.get(item.sourcePath) ?? []),
            dtype: item.volume.dtype,
            ...(item.nanReplaced ? { nanReplaced: item.nanReplaced } : {}),
            ...geometryRecord(item.volume),
          });
        }
        // SPEC §7 one grid per subject (issue #11.3, budget helper): see grid_check.ts.
        if (!recipeAlignsRoles(plan.steps.map((st) => st.definition))) {
          checkRolesShareGrid(subject);
        }
        continue;
      }
      if (!subject) {
        throw new Error("no subject loaded before this step (the first step must be a source)");
      }
      // Deferred values reach only a step that reads them (issue 15); others get them held.
      if (!def.readsDeferred?.(step.params as never)) subject = materializeItems(subject);
      if (def.kind === "sink") {
        const from = written.length;
        const outputs = def.write(subject, step.params, sinkIo);
        written.splice(from);
        for (const { warnings, ...out } of outputs) {
          const digest = digests.get(out.path);
          if (!digest) throw new Error(`Cannot record "${out.path}": the sink did not write it`);
          record.outputs.push({ ...out, ...digest }); // of the bytes written, not re-read
          // SPEC §2: a sheared affine is written with qform_code 0, with a warning.
          const item = subject.items.find((it) => it.role === out.role);
          const sheared = item && /\.nii(\.gz)?$/i.test(out.path) &&
            shearWarning(out.path, item.volume);
          if (sheared) record.warnings.push(sheared);
          const clamped = `${out.clamped} voxels clamped into the range of ${out.dtype}`;
          for (const w of warnings ?? (out.clamped > 0 ? [clamped] : [])) {
            record.warnings.push(`${out.path}: ${w}`);
          }
        }
        continue;
      }
      if (step.copies > 1 && !forked) {
        held.push(subject);
        for (let k = 0; k < step.copies; k++) {
          const copy = subject.copy * step.copies + k;
          const target = job.replay?.copy;
          if (target !== undefined && Math.floor(target / step.copiesAfter) !== copy) continue;
          walk(s, { ...subject, copy }, true);
          recycle(subject); // the copy's volumes are written: its buffers serve the next copy
        }
        held.pop();
        return;
      }
      if (init.statsPass?.stop === s) {
        // Issue 13: the statistics pass stops before the first step that needs them.
        record.contributions = Object.fromEntries(
          init.statsPass.collect.map((c) => [
            c.index,
            collectContribution(materializeItems(subject!), c.need),
          ]),
        );
        return;
      }
      forked = false;
      const seed = deriveSeed(plan.recipe.seed, job.id, s, subject.copy);
      const copy = subject.copy;
      const replay = job.replay?.steps.find((e) => e.index === s && e.copy === copy)?.record;
      const t0 = performance.now();
      const owns = ownedBy(subject, held);
      const result = def.apply(subject, step.params, {
        owns,
        // Not when the statistics pass stops after this step: it reads the values held.
        defer: step.defer && init.statsPass?.stop !== s + 1,
        subjectId: job.id,
        stepIndex: s,
        copy,
        seed,
        replay,
        save: step.save,
        floats: step.floats,
        dataset: init.dataset?.[s],
        warn: (m) => record.warnings.push(`steps[${s}] (${def.name}): ${m}`),
        readVolume: (path) => {
          const read = io.read(path, { maxBytes: init.maxInputBytes });
          const { sha256 } = inputRecordFiles(path, read.files);
          // recorded once per subject, so --resume rebuilds it when the file changes
          record.files ??= [];
          if (!record.files.some((f) => f.path === path)) record.files.push({ path, sha256 });
          return { volume: read.volume, sha256 };
        },
      });
      const ms = Math.round((performance.now() - t0) * 10) / 10;
      subject = result.subject;
      recycle(subject);
      // SPEC §2: an intensity step changes what image values mean; cal_min/cal_max go to 0.
      if (def.kind === "intensity") {
        subject = mapImages(subject, (it) => ({ ...it, volume: withoutCalibration(it.volume) }));
      }
      record.steps.push({
        index: s,
        name: def.name,
        copy,
        seed,
        params: step.params,
        record: result.record ?? {},
        items: itemRecords(subject),
        ms,
      });
    }
  };

  try {
    walk(0, null, false);
  } catch (e) {
    record.status = "failed";
    record.error = {
      step: current,
      name: plan.steps[current]?.definition.name ?? "",
      message: describeFailure(e),
    };
    // Every file this subject wrote, including a sink's files before it failed.
    for (const path of new Set([...record.outputs.map((o) => o.path), ...written])) {
      try {
        io.remove(writtenPath(init, path));
      } catch { /* already gone */ }
    }
    record.outputs = [];
  }
  return record;
}

/**
 * The volumes of `subject` nothing reads after its next step: those of its items whose buffer
 * no other item and no held subject (augment copies still to run) uses (issue 15, peak RSS).
 */
function ownedBy(subject: Subject, held: readonly Subject[]): (volume: Volume) => boolean {
  const uses = new Map<ArrayBufferLike, number>();
  for (const s of [...held, subject]) {
    for (const it of s.items) {
      const b = it.volume.data.buffer;
      uses.set(b, (uses.get(b) ?? 0) + 1);
    }
  }
  return (volume) =>
    subject.items.some((it) => it.volume === volume) && uses.get(volume.data.buffer) === 1;
}
