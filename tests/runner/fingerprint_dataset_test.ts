/**
 * The dataset fingerprint (`medprep fingerprint --manifest F --json`) against nibabel + numpy
 * over the same files: generated CT-like sets with labels (anisotropic, two orientations, one
 * subject whose label grid differs) and the shared corpus.
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import { writeNiftiSync } from "../../src/nifti/nifti_write.ts";
import type { Affine } from "../../src/volume/affine.ts";
import { makeVolume, obliqueAffine } from "../_volumes.ts";
import { runCli } from "../cli/_run.ts";
import { HAVE_SCIPY } from "../volume/_scipy.ts";

const CORPUS = new URL("../../../shared/corpus/", import.meta.url).pathname;
const HAVE_CORPUS = (() => {
  try {
    return Deno.statSync(CORPUS).isDirectory;
  } catch {
    return false;
  }
})();
if (!HAVE_CORPUS) {
  console.warn("NOTICE: ../shared/corpus not found; corpus fingerprint test skipped");
}

/** nibabel + numpy computing the same fingerprint from the manifest rows (JSON on stdin). */
const REFERENCE = `
import json, sys
import numpy as np, nibabel as nib
inp = json.loads(sys.stdin.read())
rows, labels = inp["rows"], inp["labels"]
def spread(v):
    v = np.asarray(v, dtype=float)
    return {"min": float(v.min()), "median": float(np.median(v)), "max": float(v.max())}
out = {"roles": {}, "mismatched": []}
pooled = {}
for row in rows:
    imgs = {r: nib.load(p) for r, p in row["paths"].items()}
    first = list(row["paths"])[0]
    def same(a, b):
        if a.shape[:3] != b.shape[:3]: return False
        n = np.array(a.shape[:3])
        corners = np.array([[(c >> k) & 1 and n[k] - 0.5 or -0.5 for k in range(3)] + [1] for c in range(8)]).T
        return np.abs(a.affine @ corners - b.affine @ corners).max() <= 1e-3
    if any(not same(imgs[first], imgs[r]) for r in row["paths"] if r != first):
        out["mismatched"].append(row["id"])
    for role, img in imgs.items():
        d = pooled.setdefault(role, {"spacing": [], "shape": [], "orient": [], "dtype": [], "all": [], "fg": [], "lab": {}})
        d["spacing"].append(np.linalg.norm(img.affine[:3, :3], axis=0))
        d["shape"].append(img.shape[:3])
        d["orient"].append("".join(nib.aff2axcodes(img.affine)))
        d["dtype"].append(img.get_data_dtype().name)
        data = np.asarray(img.get_fdata(), dtype=np.float64)
        if role in labels:
            vals, counts = np.unique(data, return_counts=True)
            for v, c in zip(vals, counts):
                e = d["lab"].setdefault(float(v), [0, 0]); e[0] += int(c); e[1] += 1
            continue
        flat = data.reshape(data.shape[:3] + (-1,), order="F")
        d["all"].append(flat.ravel())
        masks = [np.asarray(imgs[l].dataobj)[..., 0] if imgs[l].ndim > 3 else np.asarray(imgs[l].dataobj) for l in labels if l in imgs and same(img, imgs[l])]
        if masks:
            fg = np.any([m != 0 for m in masks], axis=0)
            d["fg"].append(flat[fg].ravel())
def stats(parts):
    if not parts: return None
    v = np.concatenate(parts); v = v[np.isfinite(v)]
    p = np.percentile(v, [0.5, 50, 99.5])
    return {"count": int(v.size), "mean": float(v.mean()), "std": float(v.std()), "min": float(v.min()), "max": float(v.max()),
            "p": [float(x) for x in p],
            "rank": [[float(np.mean(v < x)), float(np.mean(v <= x))] for x in inp.get("check", [])]}
for role, d in pooled.items():
    r = {"subjects": len(d["shape"]),
         "spacing": [spread([s[a] for s in d["spacing"]]) for a in range(3)],
         "shape": [spread([s[a] for s in d["shape"]]) for a in range(3)],
         "orientations": {k: d["orient"].count(k) for k in sorted(set(d["orient"]))},
         "dtypes": {k: d["dtype"].count(k) for k in sorted(set(d["dtype"]))}}
    ratios = [max(s) / min(s) for s in d["spacing"]]
    r["anisotropy"] = dict(spread(ratios), above3=int(sum(x > 3 for x in ratios)))
    if role in labels:
        r["labels"] = [{"value": v, "voxels": c[0], "subjects": c[1]} for v, c in sorted(d["lab"].items())]
    else:
        r["all"] = stats(d["all"]); r["fg"] = stats(d["fg"])
    out["roles"][role] = r
# nnU-Net's determine_fullres_target_spacing (v2), on the first image role.
img = [k for k in pooled if k not in labels][0]
spacings = np.vstack(pooled[img]["spacing"]); sizes = np.vstack(pooled[img]["shape"])
target = np.percentile(spacings, 50, 0); target_size = np.percentile(sizes, 50, 0)
worst = int(np.argmax(target)); other = [i for i in range(3) if i != worst]
other_spacings = [target[i] for i in other]; other_sizes = [target_size[i] for i in other]
if target[worst] > 3 * max(other_spacings) and target_size[worst] * 3 < min(other_sizes):
    t = np.percentile(spacings[:, worst], 10)
    if t < max(other_spacings): t = max(max(other_spacings), t) + 1e-5
    target[worst] = t
out["target"] = [float(x) for x in target]
print(json.dumps(out))
`;

async function reference(input: unknown): Promise<Record<string, unknown>> {
  const child = new Deno.Command("/usr/bin/python3", {
    args: ["-c", REFERENCE],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const w = child.stdin.getWriter();
  await w.write(new TextEncoder().encode(JSON.stringify(input)));
  await w.close();
  const o = await child.output();
  if (!o.success) throw new Error(new TextDecoder().decode(o.stderr));
  return JSON.parse(new TextDecoder().decode(o.stdout));
}

const close = (a: number, b: number, rel: number, what: string) =>
  ok(Math.abs(a - b) <= rel * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);

/** Axis-aligned affine with the given spacing, flipped in x when `flipX`. */
function axisAffine(spacing: number[], flipX = false): Affine {
  return [
    [flipX ? -spacing[0] : spacing[0], 0, 0, 12.5],
    [0, spacing[1], 0, -30],
    [0, 0, spacing[2], 7],
    [0, 0, 0, 1],
  ];
}

/** 6 CT-like subjects (int16 HU, uint8 labels 0/1/2); sub-04's label has another shape. */
async function ctDataset(dir: string): Promise<string> {
  const lines = ["id,image,label"];
  for (let n = 0; n < 6; n++) {
    const id = `sub-${String(n + 1).padStart(2, "0")}`;
    const shape: [number, number, number] = [24 + n, 22 + (n % 3), 6 + (n % 2)];
    const spacing = [0.7 + 0.05 * n, 0.7 + 0.05 * n, 3.5 + 0.5 * n];
    const affine = n === 2
      ? obliqueAffine(spacing as [number, number, number])
      : axisAffine(spacing, n % 2 === 1);
    const inside = (i: number, j: number, k: number) =>
      ((i - shape[0] / 2) / 7) ** 2 + ((j - shape[1] / 2) / 6) ** 2 + ((k - 3) / 3) ** 2 < 1;
    writeNiftiSync(
      `${dir}/${id}_ct.nii.gz`,
      makeVolume({
        shape,
        affine,
        fn: (i, j, k) =>
          inside(i, j, k) ? 20 + ((i * 37 + j * 11 + k * 5 + n * 3) % 90) : -1000 + ((i + j) % 7),
      }),
    );
    const labelShape: [number, number, number] = n === 3
      ? [shape[0] - 2, shape[1], shape[2]]
      : shape;
    writeNiftiSync(
      `${dir}/${id}_seg.nii.gz`,
      makeVolume({
        shape: labelShape,
        affine,
        dtype: "uint8",
        fn: (i, j, k) => inside(i, j, k) ? (i < shape[0] / 2 ? 1 : 2) : 0,
      }),
    );
    lines.push(`${id},${id}_ct.nii.gz,${id}_seg.nii.gz`);
  }
  await Deno.writeTextFile(`${dir}/m.csv`, lines.join("\n") + "\n");
  return `${dir}/m.csv`;
}

function rowsOf(dir: string, csv: string) {
  return csv.trim().split("\n").slice(1).map((l) => {
    const [id, image, label] = l.split(",");
    return {
      id,
      paths: { image: `${dir}/${image}`, ...(label ? { label: `${dir}/${label}` } : {}) },
    };
  });
}

Deno.test({
  name:
    "fingerprint of a generated CT set equals nibabel + numpy (exact percentiles, label counts, mismatched grids)",
  ignore: !HAVE_SCIPY,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "medprep-fp-" });
    try {
      const manifest = await ctDataset(dir);
      const r = await runCli(["fingerprint", "--manifest", manifest, "--json", "--workers", "2"]);
      equal(r.code, 0, r.stderr);
      const got = JSON.parse(r.stdout);
      const want = await reference({
        rows: rowsOf(dir, await Deno.readTextFile(manifest)),
        labels: ["label"],
      }) as {
        // deno-lint-ignore no-explicit-any
        roles: Record<string, any>;
        mismatched: string[];
        target: number[];
      };
      equal(got.subjects, 6);
      deepEqual(got.failed, []);
      deepEqual(got.mismatchedGrids.map((m: { id: string }) => m.id), want.mismatched);
      deepEqual(want.mismatched, ["sub-04"]);
      for (const role of got.roles) {
        const w = want.roles[role.role];
        equal(role.subjects, w.subjects);
        for (const key of ["spacing", "shape"] as const) {
          for (let a = 0; a < 3; a++) {
            for (const s of ["min", "median", "max"]) {
              close(role[key][a][s], w[key][a][s], 1e-6, `${role.role} ${key}[${a}].${s}`);
            }
          }
        }
        for (const s of ["min", "median", "max"]) {
          close(role.anisotropy[s], w.anisotropy[s], 1e-6, "anisotropy");
        }
        equal(role.anisotropy.above3, w.anisotropy.above3);
        deepEqual(role.orientations, w.orientations);
        deepEqual(role.dtypes, w.dtypes);
        if (role.label) {
          deepEqual(role.labels, w.labels);
          continue;
        }
        for (
          const [mine, theirs] of [[role.intensity.all, w.all], [role.intensity.foreground, w.fg]]
        ) {
          equal(mine.count, theirs.count);
          equal(mine.exact, true);
          equal(mine.min, theirs.min);
          equal(mine.max, theirs.max);
          close(mine.mean, theirs.mean, 1e-12, "mean");
          close(mine.std, theirs.std, 1e-12, "std");
          // Integer-valued: numpy.percentile of the pooled voxels exactly.
          deepEqual([mine.percentile00_5, mine.percentile50_0, mine.percentile99_5], theirs.p);
        }
      }
      // The suggestion: nnU-Net's target spacing rule (anisotropic z here) and CT normalization.
      const s = got.suggestedRecipe;
      equal(s.modality, "ct");
      equal(s.anisotropicAxis, 2);
      for (let a = 0; a < 3; a++) close(s.targetSpacing[a], want.target[a], 1e-12, `target[${a}]`);
      const fg = got.roles.find((x: { role: string }) => x.role === "image").intensity.foreground;
      ok(s.yaml.includes(`    min: ${fg.percentile00_5}\n    max: ${fg.percentile99_5}\n`), s.yaml);
      ok(s.yaml.includes(`    from: [${fg.mean}, ${fg.mean + fg.std}]\n`), s.yaml);
      // Deterministic whatever the worker count.
      const one = await runCli(["fingerprint", "--manifest", manifest, "--json", "--workers", "1"]);
      equal(one.stdout, r.stdout);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "fingerprint of the shared corpus equals nibabel + numpy (grids, dtypes, pooled statistics)",
  ignore: !HAVE_SCIPY || !HAVE_CORPUS,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "medprep-fp-corpus-" });
    try {
      const files = [...Deno.readDirSync(CORPUS)].map((e) => e.name)
        .filter((n) => /\.(nii|nii\.gz|hdr|hdr\.gz)$/.test(n) && !/complex_image|5D_small/.test(n))
        .sort();
      ok(files.length >= 15, files.join(" "));
      const lines = ["id,image", ...files.map((f) => `${f.replace(/\W/g, "_")},${CORPUS}${f}`)];
      await Deno.writeTextFile(`${dir}/m.csv`, lines.join("\n") + "\n");
      const r = await runCli([
        "fingerprint",
        "--manifest",
        `${dir}/m.csv`,
        "--json",
        "--workers",
        "2",
      ]);
      equal(r.code, 0, `exit ${r.code}: ${r.stderr}${r.stdout.slice(0, 2000)}`);
      const got = JSON.parse(r.stdout);
      const role = got.roles[0];
      const all = role.intensity.all;
      const want = await reference({
        rows: rowsOf("", lines.join("\n")).map((x) => ({
          ...x,
          paths: { image: x.paths.image.slice(1) },
        })),
        labels: [],
        check: [all.percentile00_5, all.percentile50_0, all.percentile99_5],
        // deno-lint-ignore no-explicit-any
      }) as { roles: Record<string, any> };
      const w = want.roles.image;
      equal(role.subjects, files.length);
      deepEqual(role.orientations, w.orientations);
      deepEqual(role.dtypes, w.dtypes);
      for (let a = 0; a < 3; a++) {
        for (const s of ["min", "median", "max"]) {
          close(role.spacing[a][s], w.spacing[a][s], 1e-6, `spacing[${a}].${s}`);
          close(role.shape[a][s], w.shape[a][s], 0, `shape[${a}].${s}`);
        }
      }
      equal(all.count, w.all.count);
      equal(all.min, w.all.min);
      equal(all.max, w.all.max);
      close(all.mean, w.all.mean, 1e-9, "mean");
      close(all.std, w.all.std, 1e-9, "std");
      // Float data pooled: each percentile's rank within 1e-4 of q (numpy ranks of our values).
      for (const [k, q] of [0.5, 50, 99.5].entries()) {
        const [below, atOrBelow] = w.all.rank[k];
        ok(
          below - 1e-4 <= q / 100 && q / 100 <= atOrBelow + 1e-4,
          `p${q}: rank [${below}, ${atOrBelow}]`,
        );
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("fingerprintJobs takes jobs from its queue in O(1) each (no Array.shift of a long queue)", async () => {
  const { fingerprintJobs } = await import("../../src/runner/fingerprint_dataset.ts");
  const shift = Array.prototype.shift;
  let longShifts = 0;
  Array.prototype.shift = function (this: unknown[]) {
    if (this.length > 500) longShifts++;
    return shift.call(this);
  };
  try {
    // Missing files: each subject fails at once, listed with what is wrong.
    const jobs = Array.from({ length: 600 }, (_, i) => ({
      id: `s${i}`,
      row: i + 2,
      paths: { image: `/nonexistent-medprep/s${i}.nii.gz` },
    }));
    const { results } = await fingerprintJobs(jobs, {
      labels: [],
      workers: 2,
      progress: "quiet",
    });
    equal(results.length, 600);
    ok(results.every((r) => r.error !== undefined));
    // Array.shift moves every element of a long array: 100,000 jobs took 10 s of main thread.
    equal(longShifts, 0);
  } finally {
    Array.prototype.shift = shift;
  }
});
