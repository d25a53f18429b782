/**
 * `deno run --allow-read tests/cluster/compare_runs.ts REF OUT`: exit 0 when OUT (a sharded,
 * merged run) holds exactly the output files of REF (a one-process run), byte for byte, and its
 * provenance.json lists the same subjects with the same statuses, input and output hashes.
 * Used by tests/cluster/slurm_test.sh.
 */

async function outputs(dir: string, rel = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(`${dir}/${rel}`)) {
    const path = rel ? `${rel}/${e.name}` : e.name;
    if (e.name.startsWith(".medprep-") || /^provenance.*\.json(l)?$/.test(e.name)) continue;
    // A shard's own run files (manifest.shard-I-of-N.csv …): the merged ones are compared.
    if (/\.shard-\d+-of-\d+\./.test(e.name)) continue;
    if (/^report.*\.html$/.test(e.name)) continue; // the HTML report shows times and commands
    if (e.isDirectory) out.push(...await outputs(dir, path));
    else out.push(path);
  }
  return out.sort();
}

function summary(dir: string) {
  const p = JSON.parse(Deno.readTextFileSync(`${dir}/provenance.json`));
  return p.subjects.map((s: Record<string, unknown>) => ({
    id: s.id,
    status: s.status,
    inputs: (s.inputs as { sha256: string }[]).map((i) => i.sha256),
    outputs: (s.outputs as { path: string; sha256: string }[]).map((o) => [
      o.path,
      o.sha256,
    ]),
  }));
}

const [ref, out] = Deno.args;
const problems: string[] = [];
const [a, b] = [await outputs(ref), await outputs(out)];
if (JSON.stringify(a) !== JSON.stringify(b)) {
  problems.push(`files differ:\n  ${ref}: ${a.join(" ")}\n  ${out}: ${b.join(" ")}`);
}
for (const f of a.filter((f) => b.includes(f))) {
  const [x, y] = [await Deno.readFile(`${ref}/${f}`), await Deno.readFile(`${out}/${f}`)];
  if (x.length !== y.length || x.some((v, i) => v !== y[i])) problems.push(`${f}: bytes differ`);
}
const [sa, sb] = [summary(ref), summary(out)];
if (JSON.stringify(sa) !== JSON.stringify(sb)) {
  const n = Math.max(sa.length, sb.length);
  const first = [...Array(n).keys()].find((i) => JSON.stringify(sa[i]) !== JSON.stringify(sb[i]))!;
  problems.push(
    `provenance.json: subjects, statuses or hashes differ, first at subject ${first}:\n  ${
      JSON.stringify(sa[first])
    }\n  ${JSON.stringify(sb[first])}`,
  );
}
if (a.length === 0) problems.push(`${ref}: no output files`);
for (const p of problems) console.error(`compare_runs: ${p}`);
if (problems.length === 0) console.log(`compare_runs: ${a.length} files identical`);
Deno.exit(problems.length ? 1 : 0);
