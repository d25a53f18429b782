/**
 * `inspect FILE… [--json]`: format, dtype, shape, spacing, orientation, affine (and its
 * source), scaling and value statistics of NIfTI files. Exit 1 when any file is unreadable.
 */
import { Command } from "commander";
import { dtypeOfCode } from "../nifti/nifti_info.ts";
import { readNifti, readNiftiHeader } from "../nifti/nifti_read.ts";
import { columnNorms, deriveOrientation } from "../volume/affine.ts";
import { DTYPES } from "../volume/dtype.ts";
import { deriveValueStats } from "../volume/value_stats.ts";
import type { CommandFactory } from "./command.ts";

/** The JSON record of one readable file (key order as documented). */
export interface InspectRecord {
  file: string;
  format: "nifti1" | "nifti2";
  gzip: boolean;
  endianness: "little" | "big";
  dtype: string;
  shape: number[];
  spacing: number[];
  affine: number[][];
  affineSource: "sform" | "qform" | "fallback";
  qformCode: number;
  sformCode: number;
  orientation: string;
  sclSlope: number;
  sclInter: number;
  min?: number;
  max?: number;
  mean?: number;
  std?: number;
}

/** What inspecting one file gave: a record (plus warnings), or an error message. */
export type InspectResult =
  | { record: InspectRecord; warnings: string[] }
  | { error: { file: string; error: string } };

/**
 * Inspects one file: header facts, and statistics over all values after scaling
 * (float64, NaN and ±Inf skipped; omitted for unsupported types).
 */
export async function inspectFile(file: string): Promise<InspectResult> {
  try {
    const { info, affine } = await readNiftiHeader(file);
    const record: InspectRecord = {
      file,
      format: info.format,
      gzip: info.gzip,
      endianness: info.endianness,
      dtype: info.dtypeName,
      shape: info.fullShape,
      spacing: columnNorms(affine),
      affine: affine.map((row) => [...row]),
      affineSource: info.affineSource,
      qformCode: info.qformCode,
      sformCode: info.sformCode,
      orientation: deriveOrientation(affine),
      sclSlope: info.sclSlope,
      sclInter: info.sclInter,
    };
    const warnings = [...info.warnings];
    if (dtypeOfCode(info.datatypeCode) !== null) {
      const img = await readNifti(file, { flattenExtraDims: true });
      warnings.push(...img.info.warnings);
      const s = deriveValueStats(img.volume);
      if (s) Object.assign(record, { min: s.min, max: s.max, mean: s.mean, std: s.std });
    }
    return { record, warnings };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return { error: { file, error: message } };
  }
}

const fmt = (
  x: number,
) => (Number.isInteger(x) ? String(x) : x.toPrecision(6).replace(/\.?0+$/, ""));

/** The human-readable summary of one record. */
export function renderInspectRecord(r: InspectRecord, warnings: readonly string[] = []): string {
  const cells = r.affine.map((row) => row.map((x) => fmt(Number(x.toFixed(6)))));
  const w = Math.max(...cells.flat().map((c) => c.length));
  const lines = [
    r.file,
    `  format       ${r.format === "nifti1" ? "NIfTI-1" : "NIfTI-2"}${
      r.gzip ? ", gzip" : ""
    }, ${r.endianness}-endian`,
    `  dtype        ${r.dtype}`,
    `  shape        ${r.shape.join(" x ")}`,
    `  spacing      ${r.spacing.map(fmt).join(" x ")} mm`,
    `  orientation  ${r.orientation}`,
    `  affine       from ${r.affineSource} (qform_code ${r.qformCode}, sform_code ${r.sformCode})`,
    ...cells.map((row) => `               ${row.map((c) => c.padStart(w)).join("  ")}`),
    `  scaling      ${
      r.sclSlope === 1 && r.sclInter === 0
        ? "none"
        : `value = raw x ${fmt(r.sclSlope)} + ${fmt(r.sclInter)}`
    }`,
  ];
  if (r.min !== undefined) {
    lines.push(
      `  values       min ${fmt(r.min)}, max ${fmt(r.max!)}, mean ${fmt(r.mean!)}, std ${
        fmt(r.std!)
      }`,
    );
  } else {
    const supported = (DTYPES as readonly string[]).includes(r.dtype);
    lines.push(
      `  values       ${supported ? "no finite values" : "not read (unsupported datatype)"}`,
    );
  }
  for (const w of warnings) lines.push(`  warning      ${w}`);
  return lines.join("\n");
}

/** `inspect` subcommand. */
export const createInspectCommand: CommandFactory = (done) =>
  new Command("inspect")
    .description(
      "Summarize NIfTI files: format, dtype, shape, spacing, orientation, affine, scaling, values",
    )
    .argument("<files...>", "NIfTI files (.nii, .nii.gz, .hdr/.img)")
    .option("--json", "one JSON object per file per line")
    .action(async (files: string[], opts: { json?: boolean }) => {
      let failed = false;
      for (const [i, file] of files.entries()) {
        const res = await inspectFile(file);
        if ("error" in res) {
          failed = true;
          if (opts.json) console.log(JSON.stringify(res.error));
          else console.error(res.error.error);
          continue;
        }
        if (opts.json) console.log(JSON.stringify(res.record));
        else console.log((i > 0 ? "\n" : "") + renderInspectRecord(res.record, res.warnings));
      }
      done(failed ? 1 : 0);
    });
