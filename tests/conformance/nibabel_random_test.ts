/**
 * Differential test against nibabel on random files (SPEC §1–2): _gen_interop.py writes a
 * few dozen random NIfTI files with nibabel's header code (every dtype, NIfTI-1/-2, .nii,
 * .nii.gz, .hdr/.img pairs with either half gzipped, big-endian, oblique/sheared sforms,
 * qforms with qfac −1, fallback geometry, random/zero/NaN scaling, 2D–4D, extensions) and
 * prints nibabel's reading of each. readNifti must agree; writeNifti's copy of each must read
 * back in nibabel with the same values and affine, codes as SPEC §2 and the qform nibabel's
 * own `set_qform` gives. Skipped with a notice when /usr/bin/python3 has no nibabel.
 */
import assert from "node:assert/strict";
import { readNifti } from "../../src/nifti/nifti_read.ts";
import { writeNifti } from "../../src/nifti/nifti_write.ts";
import { inspectFile } from "../../src/cli/inspect.ts";
import { valueAt, type Volume } from "../../src/volume/volume.ts";

const PYTHON = "/usr/bin/python3";
const GEN = new URL("./_gen_interop.py", import.meta.url).pathname;

function nibabelAvailable(): boolean {
  try {
    return new Deno.Command(PYTHON, { args: ["-c", "import nibabel"], stderr: "null" })
      .outputSync().code === 0;
  } catch {
    return false;
  }
}

interface Answer {
  file: string;
  reference: string | string[];
  shape: number[];
  dtype: string;
  affine: number[][];
  affine_source: string;
  spacing: number[];
  orientation: string;
  slope: number;
  inter: number;
  min: number | null;
  max: number | null;
  mean: number | null;
  std: number | null;
  samples: [number, number | null][];
}

async function runPython(args: string[], stdin?: string): Promise<string[]> {
  const child = new Deno.Command(PYTHON, {
    args: [GEN, ...args],
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(stdin));
    await w.close();
  }
  const out = await child.output();
  const text = new TextDecoder();
  if (out.code !== 0) throw new Error(`${GEN} ${args[0]} failed: ${text.decode(out.stderr)}`);
  return text.decode(out.stdout).trim().split("\n").filter((l) => l);
}

/** |a − b| within `rel` of the larger magnitude (or 1e-12 absolute); null means NaN. */
function close(a: number, b: number | null, rel: number): boolean {
  if (b === null) return Number.isNaN(a);
  return Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b), 1e-12);
}

function stats(v: Volume): { min: number; max: number; mean: number; std: number } | null {
  let n = 0, sum = 0, min = Infinity, max = -Infinity;
  for (let i = 0; i < v.data.length; i++) {
    const x = valueAt(v, i);
    if (Number.isNaN(x)) continue;
    n++, sum += x, min = Math.min(min, x), max = Math.max(max, x);
  }
  if (n === 0) return null;
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < v.data.length; i++) {
    const x = valueAt(v, i);
    if (!Number.isNaN(x)) ss += (x - mean) ** 2;
  }
  return { min, max, mean, std: Math.sqrt(ss / n) };
}

function checkRead(a: Answer, v: Volume, info: { fullShape: number[]; affineSource: string }) {
  const where = `${a.file}`;
  assert.deepEqual(info.fullShape, a.shape, `${where}: shape`);
  const spatial = [...a.shape.slice(0, 3), 1, 1, 1].slice(0, 3);
  assert.deepEqual([...v.shape], spatial, `${where}: spatial shape`);
  assert.equal(v.frames, a.shape.slice(3).reduce((x, y) => x * y, 1), `${where}: frames`);
  assert.equal(v.dtype, a.dtype, `${where}: dtype`);
  assert.equal(info.affineSource, a.affine_source, `${where}: affine source`);
  const scale = Math.max(1, ...a.affine.flat().map(Math.abs));
  for (let r = 0; r < 4; r++) {
    for (let c = 0; c < 4; c++) {
      const d = Math.abs(v.affine[r][c] - a.affine[r][c]);
      assert.ok(
        d <= 1e-5 * scale,
        `${where}: affine[${r}][${c}] ${v.affine[r][c]} vs ${a.affine[r][c]}`,
      );
    }
  }
  assert.ok(close(v.slope, a.slope, 1e-12), `${where}: slope ${v.slope} vs ${a.slope}`);
  assert.ok(close(v.inter, a.inter, 1e-12), `${where}: inter ${v.inter} vs ${a.inter}`);
  const s = stats(v);
  const range = Math.max(Math.abs(a.min ?? 0), Math.abs(a.max ?? 0), 1e-12);
  for (const key of ["min", "max", "mean", "std"] as const) {
    const want = a[key];
    if (want === null || s === null) {
      assert.equal(s === null, a.min === null, `${where}: all NaN?`);
      continue;
    }
    assert.ok(Math.abs(s[key] - want) <= 1e-6 * range, `${where}: ${key} ${s[key]} vs ${want}`);
  }
  for (const [i, want] of a.samples) {
    assert.ok(close(valueAt(v, i), want, 1e-9), `${where}: voxel ${i} ${valueAt(v, i)} vs ${want}`);
  }
}

/** Seed and count; MEDPREP_INTEROP_SEED / _COUNT explore further (the suite uses the defaults). */
const SEED = Deno.env.get("MEDPREP_INTEROP_SEED") ?? "20261126";
const COUNT = Number(Deno.env.get("MEDPREP_INTEROP_COUNT") ?? 60);

/** `inspect --json`'s record agrees with nibabel too (its own statistics code). */
async function checkInspect(a: Answer) {
  const result = await inspectFile(a.file);
  assert.ok("record" in result, `${a.file}: inspect failed`);
  const r = result.record;
  assert.deepEqual(r.shape, a.shape, `${a.file}: inspect shape`);
  assert.equal(r.dtype, a.dtype, `${a.file}: inspect dtype`);
  assert.equal(r.affineSource, a.affine_source, `${a.file}: inspect affineSource`);
  assert.equal(r.orientation, a.orientation, `${a.file}: inspect orientation`);
  for (let i = 0; i < 3; i++) {
    assert.ok(close(r.spacing[i], a.spacing[i], 1e-12), `${a.file}: inspect spacing`);
  }
  assert.ok(close(r.sclSlope, a.slope, 1e-12) && close(r.sclInter, a.inter, 1e-12));
  const range = Math.max(Math.abs(a.min ?? 0), Math.abs(a.max ?? 0), 1e-12);
  for (const key of ["min", "max", "mean", "std"] as const) {
    const want = a[key];
    if (want === null) assert.equal(r[key], undefined, `${a.file}: inspect ${key}`);
    else {
      assert.ok(
        Math.abs(r[key]! - want) <= 1e-6 * range,
        `${a.file}: inspect ${key} ${r[key]} vs ${want}`,
      );
    }
  }
}

const available = nibabelAvailable();
if (!available) console.warn(`nibabel random interop SKIPPED: ${PYTHON} cannot import nibabel`);

Deno.test({
  name: "readNifti and writeNifti agree with nibabel on random files (seeded)",
  ignore: !available,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "medprep-nib-random-" });
    try {
      const answers: Answer[] = (await runPython(["gen", dir, SEED, String(COUNT)])).map((l) =>
        JSON.parse(l)
      );
      assert.equal(answers.length, COUNT);
      const pairs: [string | string[], string][] = [];
      for (const [n, a] of answers.entries()) {
        // 5-D files: the dimensions beyond the 4th folded into frames (as `inspect` reads).
        const { volume, info } = await readNifti(a.file, { flattenExtraDims: true });
        checkRead(a, volume, info);
        await checkInspect(a);
        const ours = `${dir}/ours${n}.nii${n % 2 ? ".gz" : ""}`;
        await writeNifti(ours, volume);
        pairs.push([a.reference, ours]);
      }
      const problems = (await runPython(["check"], JSON.stringify(pairs)))
        .map((l, i) => {
          const r = JSON.parse(l) as { file: string; problems: string[] };
          return r.problems.length
            ? `${answers[i].file} -> ${r.file}: ${r.problems.join("; ")}`
            : "";
        })
        .filter((p) => p);
      assert.deepEqual(problems, [], problems.join("\n"));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
