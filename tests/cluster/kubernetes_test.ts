/**
 * `--shard auto` in a Kubernetes Indexed Job (issue 14.4): the Job of docs/cluster.md, its
 * container command run once per completion index with the environment Kubernetes gives a pod
 * (JOB_COMPLETION_INDEX, HOSTNAME, the service variables; no SLURM variables), all pods at once as
 * `parallelism` allows, then merge-provenance. The reference is a one-process run of the same
 * recipe: every output byte-identical, the same subject records.
 */
import assert from "node:assert/strict";
import { parse } from "yaml";
import { medprepCommand } from "../cli/_run.ts";
import { comparable, createDataset, readTree } from "../runner/_dataset.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

interface JobSpec {
  spec: {
    completionMode: string;
    completions: number;
    parallelism: number;
    template: { spec: { containers: { command: string[]; workingDir: string }[] } };
  };
}

/** The Indexed Job of docs/cluster.md (the only yaml block there that is a Job). */
function documentedJob(): JobSpec {
  const doc = Deno.readTextFileSync(`${ROOT}docs/cluster.md`);
  const blocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => parse(m[1]));
  const jobs = blocks.filter((b) => b?.kind === "Job");
  assert.equal(jobs.length, 1);
  return jobs[0] as JobSpec;
}

/** A pod's environment: what Kubernetes sets for completion index `i`, nothing from this shell. */
function podEnv(i: number): Record<string, string> {
  return {
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    HOME: Deno.env.get("HOME") ?? "/root",
    HOSTNAME: `medprep-ct-${i}-x7k2p`,
    JOB_COMPLETION_INDEX: String(i),
    KUBERNETES_SERVICE_HOST: "10.96.0.1",
    KUBERNETES_SERVICE_PORT: "443",
    DENO_NO_UPDATE_CHECK: "1",
  };
}

async function runPod(args: string[], env: Record<string, string>) {
  const [cmd, ...rest] = medprepCommand(args);
  const out = await new Deno.Command(cmd, {
    args: rest,
    env,
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

Deno.test({
  name: "Kubernetes Indexed Job of docs/cluster.md: --shard auto per pod, merged = one process",
  sanitizeResources: false,
  async fn() {
    const job = documentedJob();
    assert.equal(job.spec.completionMode, "Indexed");
    const n = job.spec.completions;
    const [container] = job.spec.template.spec.containers;
    const command = container.command;
    assert.equal(command[0], "bin/medprep");
    // The documented invariant: --shard-count equals completions.
    assert.equal(Number(command[command.indexOf("--shard-count") + 1]), n);
    assert.equal(command[command.indexOf("--shard") + 1], "auto");

    const data = await createDataset({ count: 11, shape: [9, 8, 7] });
    const out = `${data.dir}/out/ct-1mm`;
    try {
      const args = command.slice(1).map((a) =>
        a === "/data/manifest.csv"
          ? data.manifest
          : a === "/data/out/ct-1mm"
          ? out
          : a.startsWith("pipelines/")
          ? `${ROOT}${a}`
          : a
      );
      assert.deepEqual(args.filter((a) => a.startsWith("/data")), []);
      // All pods at once, `parallelism` at a time.
      const results: { code: number; stderr: string }[] = [];
      for (let start = 0; start < n; start += job.spec.parallelism) {
        const batch = [...Array(Math.min(job.spec.parallelism, n - start)).keys()].map((k) =>
          runPod(args, podEnv(start + k))
        );
        results.push(...await Promise.all(batch));
      }
      results.forEach((r, i) => assert.equal(r.code, 0, `pod ${i}: ${r.stderr}`));
      const shardFiles = [...Deno.readDirSync(out)].map((e) => e.name)
        .filter((f) => f.startsWith("provenance.shard-")).sort();
      assert.equal(shardFiles.length, n);
      assert.ok(shardFiles.includes(`provenance.shard-${n}-of-${n}.json`));
      // Each subject exactly once, in the shard --shard I/N assigns it (every N-th sorted id).
      const sorted = [...data.ids].sort();
      for (let i = 1; i <= n; i++) {
        const p = JSON.parse(Deno.readTextFileSync(`${out}/provenance.shard-${i}-of-${n}.json`));
        assert.deepEqual(
          p.subjects.map((s: { id: string }) => s.id),
          sorted.filter((_, k) => k % n === i - 1),
        );
      }
      const merge = await runPod(["merge-provenance", out], podEnv(0));
      assert.equal(merge.code, 0, merge.stderr);

      const ref = `${data.dir}/ref`;
      const one = await runPod(
        ["run", `${ROOT}pipelines/ct-1mm-window.yaml`, "--manifest", data.manifest, "--out", ref],
        { PATH: Deno.env.get("PATH") ?? "", HOME: Deno.env.get("HOME") ?? "/root" },
      );
      assert.equal(one.code, 0, one.stderr);
      const [a, b] = [await readTree(ref), await readTree(out)];
      // Every file but provenance and the shards' own run files (manifest.shard-I-of-N.csv …):
      // the merged manifest.csv and dataset.json must equal the one-process run's too (the HTML
      // report shows times and commands).
      const outputs = (t: Map<string, Uint8Array>) =>
        [...t.keys()].filter((f) =>
          !f.startsWith("provenance") && !f.startsWith("report.") &&
          !/\.shard-\d+-of-\d+\./.test(f)
        ).sort();
      assert.deepEqual(outputs(b), outputs(a));
      assert.equal(outputs(a).length, 2 * data.ids.length + 2); // + manifest.csv, dataset.json
      for (const f of outputs(a)) assert.deepEqual(b.get(f), a.get(f), f);
      const subjects = (dir: string) =>
        (comparable(JSON.parse(Deno.readTextFileSync(`${dir}/provenance.json`))) as {
          subjects: unknown[];
        }).subjects;
      assert.deepEqual(subjects(out), subjects(ref));
    } finally {
      await Deno.remove(data.dir, { recursive: true });
    }
  },
});

Deno.test("Kubernetes: --shard auto without --shard-count, or an index past it, exits 2", async () => {
  const data = await createDataset({ count: 2, shape: [5, 6, 7] });
  try {
    const base = ["run", `${ROOT}pipelines/ct-1mm-window.yaml`, "--manifest", data.manifest];
    const noCount = await runPod(
      [...base, "--out", `${data.dir}/o1`, "--shard", "auto"],
      podEnv(0),
    );
    assert.equal(noCount.code, 2);
    assert.match(
      noCount.stderr,
      /JOB_COMPLETION_INDEX is set; give the number of completions with --shard-count/,
    );
    const past = await runPod(
      [...base, "--out", `${data.dir}/o2`, "--shard", "auto", "--shard-count", "8"],
      podEnv(8),
    );
    assert.equal(past.code, 2);
    assert.match(past.stderr, /completion index 8.*between 1 and 8/);
    assert.ok(!(await Deno.stat(`${data.dir}/o1`).catch(() => null)));
    assert.ok(!(await Deno.stat(`${data.dir}/o2`).catch(() => null)));
  } finally {
    await Deno.remove(data.dir, { recursive: true });
  }
});
