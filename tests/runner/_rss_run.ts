/**
 * Driver of budget_rss_test.ts, run in its own process so nothing else lives in it:
 * `deno run -A tests/runner/_rss_run.ts DIR N` runs DIR/r.yaml over DIR/m.csv (N subjects,
 * ids from DIR/ids.json) with one worker and prints the RSS samples taken while subjects 50–100
 * and N−50…N were finishing, as JSON on stdout.
 */
import { runBatch } from "../../src/runner/batch.ts";

const [dir, count] = Deno.args;
const n = Number(count);
const ids: string[] = JSON.parse(Deno.readTextFileSync(`${dir}/ids.json`));
const exists = (path: string) => {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
};
// With one worker the subjects finish in manifest order: `done` advances on the outputs.
let done = 0;
const early: number[] = [], late: number[] = [];
/** RSS in MB each time 50 more subjects are done (for the failure message). */
const trace: number[] = [];
const timer = setInterval(() => {
  while (done < n && exists(`${dir}/out/${ids[done]}_label.nii.gz`)) done++;
  const rss = Deno.memoryUsage().rss;
  if (done >= 50 && done < 100) early.push(rss);
  if (done >= n - 50 && done < n) late.push(rss);
  if (done >= (trace.length + 1) * 50) trace.push(Math.round(rss / 1e6));
}, 25);
let code: number;
try {
  code = await runBatch({
    recipe: `${dir}/r.yaml`,
    manifest: `${dir}/m.csv`,
    out: `${dir}/out`,
    workers: 1,
    quiet: true,
    command: ["test"],
  });
} finally {
  clearInterval(timer);
}
console.log(JSON.stringify({ code, early, late, trace }));
