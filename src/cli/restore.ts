/**
 * `restore`: maps a prediction made on a subject's preprocessed grid (NIfTI, or `.npy`) back onto
 * the subject's original input grid, from the run's provenance (src/provenance/restore.ts), and
 * writes it with the original shape and affine (and the input's qform/sform codes when the input
 * file is still readable). Exit 0 written, 1 the restore failed (subject, role, shape), 2 bad
 * arguments. Permissions: --allow-read (provenance, prediction, the input's header),
 * --allow-write (the output file).
 */
import { basename, dirname, resolve } from "node:path";
import { Command, Option } from "commander";
import type { CommandFactory } from "./command.ts";
import { UsageError } from "../errors.ts";
import { readProvenanceFile } from "../provenance/read_provenance.ts";
import {
  type NpyLayout,
  npyVolume,
  planRestore,
  type RestorePlan,
  restoreVolume,
} from "../provenance/restore.ts";
import {
  readNiftiHeaderFieldsSync,
  readNiftiHeaderSync,
  readNiftiSync,
} from "../nifti/nifti_read.ts";
import { writeNiftiSync, writeNiftiWithGeometrySync } from "../nifti/nifti_write.ts";
import type { NiftiHeader } from "../nifti/nifti_header.ts";
import { readNpy } from "../npy/npy_read.ts";
import { type Interpolation, INTERPOLATIONS } from "../volume/interpolate.ts";
import { findSameFile } from "../runner/same_file.ts";
import type { Volume } from "../volume/volume.ts";

/** What `restore` takes from the command line. */
export interface RestoreOptions {
  provenance: string;
  subject: string;
  role?: string;
  interpolation?: Interpolation;
  layout?: NpyLayout;
  output?: string;
  force?: boolean;
}

const usage = (path: string, message: string) => new UsageError([{ path, message }]);

/** `<dir>/<stem>_restored.nii.gz` beside the prediction. */
function defaultOutput(prediction: string): string {
  const stem = basename(prediction).replace(/(\.nii|\.hdr|\.img|\.npy)?(\.gz)?$/i, "");
  return `${dirname(prediction)}/${stem}_restored.nii.gz`;
}

function readPrediction(path: string, plan: RestorePlan, layout?: NpyLayout): Volume {
  if (/\.npy$/i.test(path)) {
    return npyVolume(readNpy(Deno.readFileSync(path), path), plan.from, { layout, file: path });
  }
  return readNiftiSync(path).volume;
}

/** The input's header when it can still be read and still describes the recorded grid. */
function inputHeader(plan: RestorePlan): NiftiHeader | undefined {
  try {
    const h = readNiftiHeaderSync(plan.input.path);
    const same = h.shape.every((n, a) => n === plan.to.shape[a]) &&
      h.affine.every((row, r) => row.every((v, c) => v === plan.to.affine[r][c]));
    return same ? readNiftiHeaderFieldsSync(plan.input.path) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Restores one prediction; returns the path written and the lines to print.
 * @throws UsageError for a bad provenance file or an output that would replace a file
 */
export async function restorePrediction(
  prediction: string,
  options: RestoreOptions,
): Promise<{ path: string; notes: string[] }> {
  const read = await readProvenanceFile(options.provenance);
  if (!read.provenance) {
    throw usage(
      "--provenance",
      `Cannot read provenance "${options.provenance}": ${read.problem ?? "file not found"}`,
    );
  }
  const plan = planRestore(read.provenance, {
    subject: options.subject,
    role: options.role,
    interpolation: options.interpolation,
  });
  const output = resolve(options.output ?? defaultOutput(prediction));
  // Never an input, whatever path leads to it (a symlinked folder, a hard link), even with --force.
  const inputs = read.provenance.subjects.flatMap((s) =>
    [...s.inputs, ...s.inputs.flatMap((i) => i.pairedFile ?? []), ...(s.files ?? [])]
      .map((i) => i.path)
  );
  const same = output === resolve(prediction) || output === resolve(plan.input.path)
    ? output
    : findSameFile(output, [prediction, options.provenance, plan.input.path, ...inputs]);
  if (same !== undefined) {
    throw usage(
      "--output",
      `Cannot write "${output}": it is the same file as the input "${same}" (the prediction, the provenance or an original input); choose another --output`,
    );
  }
  let exists = false;
  try {
    Deno.lstatSync(output);
    exists = true;
  } catch { /* free */ }
  if (exists && !options.force) {
    throw usage("--output", `Cannot write "${output}": it exists (add --force to replace it)`);
  }
  const restored = restoreVolume(readPrediction(prediction, plan, options.layout), plan);
  const header = inputHeader(plan);
  const volume: Volume = {
    ...restored.volume,
    meta: { ...restored.volume.meta, calMin: 0, calMax: 0 },
  };
  // The input's own qform/sform fields, bit for bit, when its file is still there.
  if (header) writeNiftiWithGeometrySync(output, volume, header, { level: 6 });
  else writeNiftiSync(output, volume, { level: 6 });
  const notes = [
    ...restored.warnings.map((w) => `warning: ${w}`),
    ...(header ? [] : [
      `note: the original input "${plan.input.path}" cannot be read (or changed): the header geometry is written from the recorded affine`,
    ]),
    `restored subject "${plan.subject}" onto the input grid of role "${plan.role}" (${
      plan.to.shape.join("x")
    }, ${restored.volume.frames} frame(s)) with ${restored.interpolation} (${
      restored.interpolation === plan.interpolation
        ? plan.interpolationReason
        : "integer-valued prediction"
    }) → ${output}`,
  ];
  return { path: output, notes };
}

/** `restore PREDICTION --provenance FILE --subject ID` */
export const createRestoreCommand: CommandFactory = (done) =>
  new Command("restore")
    .description(
      "Map a prediction on a subject's preprocessed grid (NIfTI or .npy) back onto its original input grid",
    )
    .argument("<prediction>", "NIfTI (.nii, .nii.gz) or NumPy .npy array on the preprocessed grid")
    .requiredOption("--provenance <file>", "the run's provenance.json")
    .requiredOption("--subject <id>", "the subject the prediction belongs to")
    .option(
      "--role <role>",
      "role whose original grid to restore onto (default: the subject's first input role)",
    )
    .addOption(
      new Option(
        "--interpolation <kind>",
        "for image-valued predictions (labels and integer predictions use nearest); default: the recipe's",
      ).choices([...INTERPOLATIONS]),
    )
    .addOption(
      new Option("--layout <layout>", "channel axis of a 4D .npy whose shape fits both").choices([
        "channels-first",
        "channels-last",
      ]),
    )
    .option("-o, --output <file>", "output NIfTI (default: <prediction>_restored.nii.gz beside it)")
    .option("--force", "replace an existing output file")
    .action(async (prediction: string, opts: RestoreOptions) => {
      const { notes } = await restorePrediction(prediction, opts);
      for (const line of notes) console.error(`medprep: ${line}`);
      done(0);
    });
