/**
 * Pooled statistics over the shared corpus (issue 13.3): every readable file's real values (all
 * frames) pooled, against numpy on the concatenated `nibabel get_fdata()` voxels: the integer
 * files exactly, all files (float mode) within 1e-12 (moments) and 1e-4 of the rank (percentiles).
 */
import assert from "node:assert/strict";
import { readNiftiSync } from "../../src/nifti/nifti_read.ts";
import { PooledStats } from "../../src/volume/pooled_stats.ts";
import { frameNumbers } from "../../src/volume/stats.ts";
import { HAVE_SCIPY, runScipy } from "./_scipy.ts";

const CORPUS = new URL("../../../shared/corpus/", import.meta.url).pathname;
const QS = [0.5, 1, 25, 50, 75, 99, 99.5];

function corpusFiles(): string[] {
  try {
    return [...Deno.readDirSync(CORPUS)].map((e) => e.name)
      .filter((n) => /\.(nii|nii\.gz|hdr|hdr\.gz)$/.test(n)).sort();
  } catch {
    return [];
  }
}

const files = corpusFiles();
if (files.length === 0) {
  console.warn("NOTICE: ../shared/corpus absent; corpus pooled statistics skipped");
}

Deno.test({
  name: "PooledStats over the corpus equals numpy on the pooled voxels (integer files exactly)",
  ignore: !HAVE_SCIPY || files.length === 0,
  async fn() {
    const integer = new PooledStats(), all = new PooledStats();
    const used: string[] = [], integerFiles: string[] = [];
    for (const name of files) {
      let volume;
      try {
        volume = readNiftiSync(`${CORPUS}${name}`).volume;
      } catch {
        continue; // complex / 5D: rejected by the reader (SPEC §1)
      }
      used.push(name);
      const mine = new PooledStats();
      for (let t = 0; t < volume.frames; t++) {
        const opts = { slope: volume.slope, inter: volume.inter, part: `${name}#${t}` };
        mine.add(frameNumbers(volume, t), opts);
        all.add(frameNumbers(volume, t), opts);
      }
      if (mine.integer) {
        integer.merge(mine);
        integerFiles.push(name);
      }
    }
    assert.ok(integerFiles.length >= 5 && used.length > integerFiles.length, `${integerFiles}`);
    const want = await runScipy(
      `
import nibabel as nib
def pooled(names):
    a = np.concatenate([np.asarray(nib.load(inp["dir"] + n).get_fdata(), np.float64).ravel() for n in names])
    return a[~np.isnan(a)]
def summary(a, got):
    srt = np.sort(a)
    rank = lambda v: (np.searchsorted(srt, v, "left") + np.searchsorted(srt, v, "right")) / 2.0
    p = np.percentile(a, inp["qs"])
    return {"n": int(a.size), "mean": float(a.mean()), "std": float(a.std()), "min": float(a.min()),
            "max": float(a.max()), "p": [float(x) for x in p],
            "rankErr": [float(abs(rank(g) - rank(w)) / a.size) for g, w in zip(got, p)]}
out = {"integer": summary(pooled(inp["integer"]), inp["gotInteger"]), "all": summary(pooled(inp["all"]), inp["gotAll"])}
`,
      {
        dir: CORPUS,
        qs: QS,
        integer: integerFiles,
        all: used,
        gotInteger: integer.percentiles(QS),
        gotAll: all.percentiles(QS),
      },
    ) as Record<
      string,
      {
        n: number;
        mean: number;
        std: number;
        min: number;
        max: number;
        p: number[];
        rankErr: number[];
      }
    >;
    const close = (a: number, b: number, what: string) =>
      assert.ok(Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b)), `${what}: ${a} vs numpy ${b}`);
    const si = integer.summary();
    assert.equal(si.exact, true);
    assert.equal(si.n, want.integer.n);
    assert.equal(si.min, want.integer.min);
    assert.equal(si.max, want.integer.max);
    close(si.mean, want.integer.mean, "integer mean");
    close(si.std, want.integer.std, "integer std");
    assert.deepEqual(integer.percentiles(QS), want.integer.p);
    const sa = all.summary();
    assert.equal(sa.exact, false);
    assert.equal(sa.n, want.all.n);
    assert.equal(sa.min, want.all.min);
    assert.equal(sa.max, want.all.max);
    close(sa.mean, want.all.mean, "all mean");
    close(sa.std, want.all.std, "all std");
    want.all.rankErr.forEach((e, i) => assert.ok(e <= 1e-4, `q=${QS[i]}: rank error ${e}`));
  },
});
