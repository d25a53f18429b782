import assert from "node:assert/strict";
import { runCli } from "../cli/_run.ts";
import { HAVE_SCIPY } from "../volume/_scipy.ts";
import { readNiftiSync } from "../../src/nifti/nifti_read.ts";
import { deriveSpacing } from "../../src/volume/volume.ts";

const PHANTOMS = new URL("./_ct_phantoms.py", import.meta.url).pathname;
const EXAMPLE = new URL("../../pipelines/nnunet-ct-dataset.yaml", import.meta.url).pathname;

async function python(args: string[]): Promise<string> {
  const o = await new Deno.Command("/usr/bin/python3", { args: [PHANTOMS, ...args] }).output();
  if (!o.success) throw new Error(new TextDecoder().decode(o.stderr));
  return new TextDecoder().decode(o.stdout);
}

interface Reference {
  exact: Record<string, number>;
  sampled: Record<string, number>;
  median: number[];
  target: number[];
}

async function cli(args: string[]) {
  const r = await runCli(args);
  assert.equal(r.code, 0, `medprep ${args.join(" ")}: exit ${r.code}\n${r.stderr}`);
  return r;
}

const read = (path: string) => JSON.parse(Deno.readTextFileSync(path));

Deno.test({
  name:
    "pipelines/nnunet-ct-dataset.yaml: exact pooled foreground statistics and median spacing equal numpy; shards merge bit for bit; --stats and --resume reuse them",
  ignore: !HAVE_SCIPY,
  async fn() {
    const dir = Deno.makeTempDirSync({ prefix: "medprep-dataset-stats-" });
    try {
      await python(["make", dir, "5", "0"]);
      const ref = JSON.parse(await python(["stats", dir])) as Reference;
      const manifest = `${dir}/manifest.csv`;

      // --- the run: statistics pass + normal pass ---
      const run = await cli([
        "run",
        EXAMPLE,
        "--manifest",
        manifest,
        "--out",
        `${dir}/a`,
        "--workers",
        "2",
      ]);
      assert.match(run.stderr, /statistics pass for steps\[1\], steps\[2\] over 5 subject/);
      const statsText = Deno.readTextFileSync(`${dir}/a/dataset-stats.json`);
      const stats = JSON.parse(statsText);
      const fg = stats.steps[0].stats.roles.image[0];
      assert.equal(fg.exact, true);
      assert.equal(fg.n, ref.exact.n);
      assert.equal(fg.min, ref.exact.min);
      assert.equal(fg.max, ref.exact.max);
      assert.equal(fg.percentiles["0.5"], ref.exact.p0_5);
      assert.equal(fg.percentiles["50"], ref.exact.p50);
      assert.equal(fg.percentiles["99.5"], ref.exact.p99_5);
      assert.ok(
        Math.abs(fg.mean - ref.exact.mean) <= 1e-12 * Math.abs(ref.exact.mean),
        `${fg.mean} vs ${ref.exact.mean}`,
      );
      assert.ok(
        Math.abs(fg.std - ref.exact.std) <= 1e-12 * ref.exact.std,
        `${fg.std} vs ${ref.exact.std}`,
      );
      const spacing = stats.steps[1].stats.spacing;
      assert.deepEqual(spacing.median, ref.median);
      assert.deepEqual(spacing.target, ref.target);
      assert.equal(spacing.anisotropic, true);
      console.log(
        `exact (medprep = numpy): mean ${fg.mean} std ${fg.std} p0.5 ${
          fg.percentiles["0.5"]
        } p99.5 ${
          fg.percentiles["99.5"]
        } over ${fg.n} voxels; nnU-Net sampled (10^7, seed 1234): mean ${ref.sampled.mean} std ${ref.sampled.std} p0.5 ${ref.sampled.p0_5} p99.5 ${ref.sampled.p99_5}`,
      );

      // Provenance records the statistics and what normalize applied; outputs on the target grid.
      const prov = read(`${dir}/a/provenance.json`);
      assert.equal(prov.dataset.source, "computed");
      assert.deepEqual(prov.dataset.stats, stats);
      for (const s of prov.subjects) {
        const norm = s.steps.find((e: { name: string }) => e.name === "normalize").record;
        assert.deepEqual(norm.roles.image.frames[0], {
          mean: fg.mean,
          std: fg.std,
          n: fg.n,
          clipMin: fg.percentiles["0.5"],
          clipMax: fg.percentiles["99.5"],
        });
      }
      const out0 = readNiftiSync(`${dir}/a/s0_image.nii.gz`).volume;
      deriveSpacing(out0).forEach((t, k) =>
        assert.ok(Math.abs(t - ref.target[k]) < 1e-5, `${t} vs ${ref.target[k]}`)
      );
      assert.equal(out0.dtype, "float32");

      // --- shards: partial files merge into the same bytes ---
      const shardDir = `${dir}/shards`;
      for (const i of [1, 2, 3]) {
        await cli([
          "fingerprint",
          EXAMPLE,
          "--manifest",
          manifest,
          "--shard",
          `${i}/3`,
          "--out",
          shardDir,
          "--quiet",
        ]);
      }
      await cli(["fingerprint", EXAMPLE, "--merge", shardDir, "--quiet"]);
      assert.equal(Deno.readTextFileSync(`${shardDir}/dataset-stats.json`), statsText);
      await cli([
        "fingerprint",
        EXAMPLE,
        "--manifest",
        manifest,
        "--out",
        `${dir}/whole`,
        "--quiet",
      ]);
      assert.equal(Deno.readTextFileSync(`${dir}/whole/dataset-stats.json`), statsText);

      // --- run --stats: no statistics pass, the same outputs ---
      const given = await cli([
        "run",
        EXAMPLE,
        "--manifest",
        manifest,
        "--out",
        `${dir}/b`,
        "--stats",
        `${shardDir}/dataset-stats.json`,
      ]);
      assert.doesNotMatch(given.stderr, /statistics pass/);
      const provB = read(`${dir}/b/provenance.json`);
      assert.equal(provB.dataset.source, "given");
      const hashes = (p: { subjects: { outputs: { path: string; sha256: string }[] }[] }) =>
        p.subjects.flatMap((s) => s.outputs.map((o) => `${o.path} ${o.sha256}`));
      assert.deepEqual(hashes(provB), hashes(prov));

      // --- --resume reuses the statistics while recipe prefix and inputs are unchanged ---
      const resumed = await cli([
        "run",
        EXAMPLE,
        "--manifest",
        manifest,
        "--out",
        `${dir}/a`,
        "--resume",
      ]);
      assert.match(resumed.stderr, /--resume reuses dataset-stats\.json/);
      assert.doesNotMatch(resumed.stderr, /statistics pass/);
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});
