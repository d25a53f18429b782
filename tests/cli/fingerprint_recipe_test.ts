import assert from "node:assert/strict";
import { runCli } from "./_run.ts";
import { HAVE_SCIPY } from "../volume/_scipy.ts";

const PHANTOMS = new URL("../runner/_ct_phantoms.py", import.meta.url).pathname;
const EXAMPLE = new URL("../../pipelines/nnunet-ct-dataset.yaml", import.meta.url).pathname;

Deno.test({
  name:
    "fingerprint RECIPE: options of the other mode, a missing shard, another recipe's --stats and a recipe without dataset steps are exit 2",
  ignore: !HAVE_SCIPY,
  async fn() {
    const dir = Deno.makeTempDirSync({ prefix: "medprep-fingerprint-recipe-" });
    try {
      const made = await new Deno.Command("/usr/bin/python3", {
        args: [PHANTOMS, "make", dir, "3", "1"],
      })
        .output();
      assert.ok(made.success);
      const manifest = `${dir}/manifest.csv`;
      const mixed = await runCli(["fingerprint", EXAMPLE, "--manifest", manifest, "--json"]);
      assert.equal(mixed.code, 2);
      assert.match(mixed.stderr, /--json: Cannot use --json with a RECIPE/);
      const noRecipe = await runCli(["fingerprint", "--manifest", manifest, "--shard", "1/2"]);
      assert.equal(noRecipe.code, 2);
      assert.match(noRecipe.stderr, /--shard: Cannot use --shard without a RECIPE/);

      const shards = `${dir}/shards`;
      const one = await runCli([
        "fingerprint",
        EXAMPLE,
        "--manifest",
        manifest,
        "--shard",
        "1/2",
        "--out",
        shards,
        "--quiet",
      ]);
      assert.equal(one.code, 0, one.stderr);
      assert.ok(Deno.statSync(`${shards}/dataset-stats.partial-1-of-2.json`).isFile);
      const merge = await runCli(["fingerprint", EXAMPLE, "--merge", shards]);
      assert.equal(merge.code, 2);
      assert.match(merge.stderr, /Cannot merge: shard\(s\) 2 of 2 missing/);

      // A statistics file of another recipe prefix is refused by run --stats.
      const other = `${dir}/other.yaml`;
      Deno.writeTextFileSync(
        other,
        Deno.readTextFileSync(EXAMPLE).replace(
          "clipPercentiles: [0.5, 99.5]",
          "clipPercentiles: [1, 99]",
        ),
      );
      const whole = await runCli([
        "fingerprint",
        other,
        "--manifest",
        manifest,
        "--out",
        `${dir}/o`,
        "--quiet",
      ]);
      assert.equal(whole.code, 0, whole.stderr);
      const run = await runCli([
        "run",
        EXAMPLE,
        "--manifest",
        manifest,
        "--out",
        `${dir}/run`,
        "--stats",
        `${dir}/o/dataset-stats.json`,
      ]);
      assert.equal(run.code, 2);
      assert.match(
        run.stderr,
        /--stats: Cannot use ".*dataset-stats\.json": it was computed for another recipe/,
      );
      assert.throws(() => Deno.statSync(`${dir}/run`), Deno.errors.NotFound);

      const plain = `${dir}/plain.yaml`;
      Deno.writeTextFileSync(
        plain,
        'version: 1\nsteps:\n  - step: load\n  - step: save\n    name: "{id}_{role}.nii.gz"\n',
      );
      const none = await runCli(["fingerprint", plain, "--manifest", manifest]);
      assert.equal(none.code, 2);
      assert.match(none.stderr, /no step needs dataset statistics/);
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});
