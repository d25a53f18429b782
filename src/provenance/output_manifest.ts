/**
 * The output manifest (issue 12 item 9): what a run made, as files the next tool reads —
 * `<out>/manifest.csv` (a medprep manifest: `--manifest out/x/manifest.csv` feeds the outputs
 * to the next recipe) and an MSD-style `<out>/dataset.json` (MONAI `load_decathlon_datalist`,
 * nnU-Net v1 `dataset.json`). Both are derived from the run's provenance alone (done subjects,
 * kept ones of `--resume` included), so `merge-provenance` rebuilds them for sharded runs.
 *
 * Columns: `id`; one per output: the role for a NIfTI / npy file (`image`, `label`), `npz`
 * for an npz file holding every role, `<column>_sidecar` for a NumPy output's JSON sidecar;
 * with augmentation copies, `<column>_copy<k>`; then the manifest's metadata columns (SPEC §7),
 * in name order.
 * Paths are relative to `<out>` (the manifest's directory). Rows: done subjects in id order.
 *
 * dataset.json mapping: `training` holds every done subject whose `split` metadata is not
 * `test` (objects with `id`, one key per output column — `image`/`label` as MSD names them when
 * the roles are so named — and the metadata), `test` those whose split is `test` (same
 * objects; MONAI reads dicts there too); `numTraining` / `numTest` count them; `modality` maps
 * `"0"`, `"1"`, … to the image (non-label) roles in output order; `tensorImageSize` is `4D`
 * when an image output has several channels. Not written: MSD's `labels` names (medprep does
 * not know what label values mean) and nnU-Net v2's `channel_names` / `file_ending` — copy
 * `modality` to `channel_names` and add the names of your labels.
 */
import { writeTextAtomic } from "../manifest/manifest_write.ts";
import { sha256Bytes } from "../nifti/hash.ts";
import { compareIds } from "./merge.ts";
import type { OutputRecord, Provenance, RunFileRecord, SubjectRecord } from "./types.ts";

export type { RunFileRecord } from "./types.ts";

/**
 * The output manifest and dataset.json names that go with a provenance file name:
 * `manifest.csv` + `dataset.json`, per shard `manifest.shard-1-of-4.csv` + `dataset.shard-1-of-4.json`.
 */
export function runFileNames(provenanceName: string): { manifest: string; dataset: string } {
  const suffix = provenanceName.replace(/^provenance/, "").replace(/\.json$/, "");
  return { manifest: `manifest${suffix}.csv`, dataset: `dataset${suffix}.json` };
}

function baseColumn(o: OutputRecord, data?: OutputRecord): string {
  if (o.sidecarOf !== undefined) return `${data ? baseColumn(data) : o.role}_sidecar`;
  if (o.arrays && o.arrays.length > 0) return o.path.match(/\.([A-Za-z0-9]+)$/)?.[1] ?? "file";
  return o.role;
}

/** Column name → path of one done subject's outputs. */
function outputCells(record: SubjectRecord, copies: boolean): [string, string][] {
  const byPath = new Map(record.outputs.map((o) => [o.path, o]));
  return record.outputs.map((o) => {
    const base = baseColumn(o, o.sidecarOf ? byPath.get(o.sidecarOf) : undefined);
    return [copies ? `${base}_copy${o.copy}` : base, o.path];
  });
}

function csvCell(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** The output manifest and dataset.json of a run, as text. */
export function createOutputManifest(provenance: Provenance): { csv: string; dataset: string } {
  const done = provenance.subjects.filter((s) => s.status === "done")
    .sort((a, b) => compareIds(a.id, b.id));
  const copies = done.some((s) => s.outputs.some((o) => o.copy > 0));
  const columns: string[] = [];
  const metadata: string[] = [];
  const rows = done.map((s) => {
    const cells = new Map(outputCells(s, copies));
    for (const c of cells.keys()) if (!columns.includes(c)) columns.push(c);
    for (const m of Object.keys(s.metadata ?? {})) {
      if (!metadata.includes(m) && !columns.includes(m) && m !== "id") metadata.push(m);
    }
    return { s, cells };
  });
  metadata.sort(); // provenance keeps metadata keys in sorted order, so any run agrees
  const header = ["id", ...columns, ...metadata];
  const lines = [header.map(csvCell).join(",")];
  const entries = rows.map(({ s, cells }) => {
    const entry: Record<string, string | number | boolean> = { id: s.id };
    for (const c of columns) if (cells.has(c)) entry[c] = cells.get(c)!;
    for (const m of metadata) if (s.metadata?.[m] !== undefined) entry[m] = s.metadata[m];
    lines.push(
      header.map((h) => csvCell(entry[h] === undefined ? "" : String(entry[h]))).join(","),
    );
    return entry;
  });
  const isTest = (e: Record<string, unknown>) => String(e.split ?? "").toLowerCase() === "test";
  const images: string[] = [];
  let channels = 1;
  for (const s of done) {
    const last = s.steps.at(-1)?.items ?? s.inputs;
    for (const o of s.outputs) {
      if (o.sidecarOf !== undefined) continue;
      for (const role of o.arrays ?? [o.role]) {
        const input = s.inputs.find((i) => i.role === role);
        if (input?.label) continue;
        if (!images.includes(role)) images.push(role);
        channels = Math.max(channels, last.find((i) => i.role === role)?.frames ?? 1);
      }
    }
  }
  const training = entries.filter((e) => !isTest(e));
  const test = entries.filter(isTest);
  const dataset = {
    name: provenance.recipe.resolved.name,
    description: `Outputs of medprep recipe "${provenance.recipe.resolved.name}" ` +
      `(${provenance.recipe.path.split("/").at(-1)}, sha256 ${
        provenance.recipe.sha256.slice(0, 12)
      }); provenance.json records how each file was made`,
    tensorImageSize: channels > 1 ? "4D" : "3D",
    modality: Object.fromEntries(images.map((r, i) => [String(i), r])),
    numTraining: training.length,
    numTest: test.length,
    training,
    test,
  };
  return { csv: lines.join("\n") + "\n", dataset: JSON.stringify(dataset, null, 2) + "\n" };
}

/**
 * Writes the output manifest and dataset.json of `provenance` into `outDir` (named after its
 * provenance file, `runFileNames`) and returns their records for provenance (`runFiles`).
 */
export async function writeOutputManifest(
  outDir: string,
  provenance: Provenance,
  provenanceName = "provenance.json",
): Promise<RunFileRecord[]> {
  const { csv, dataset } = createOutputManifest(provenance);
  const names = runFileNames(provenanceName);
  const files: [string, string][] = [[names.manifest, csv], [names.dataset, dataset]];
  for (const [name, text] of files) await writeTextAtomic(`${outDir}/${name}`, text);
  return files.map(([path, text]) => ({ path, sha256: sha256Bytes(text) }));
}
