/**
 * Issue #10.6: a worker's memory must not grow with the number of subjects it has processed.
 * A real run (one worker, in a process of its own: _rss_run.ts) over 600 subjects of
 * 128×128×64 (int16 image 2 MiB + uint8 label 1 MiB, gzipped) while that process samples its
 * resident set size.
 */
import assert from "node:assert/strict";
import { writeNiftiSync } from "../../src/nifti/nifti_write.ts";
import { makeVolume } from "../_volumes.ts";

const MB = 1e6;
const SUBJECTS = 600;
const FILES = 6; // distinct input pairs, reused by the rows (reading is not what is measured)
const SHAPE: [number, number, number] = [128, 128, 64];

const RECIPE = `version: 1
name: rss
steps:
  - step: load
    labels: [label]
  - step: clip
    min: -500
    max: 900
  - step: save
    name: "{id}_{role}.nii.gz"
    compression: 1
`;

const exists = (path: string) => {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
};

Deno.test({
  name: "run keeps a worker's RSS flat: after 600 subjects within 50 MB of after 50",
  sanitizeResources: false,
  sanitizeOps: false,
}, async () => {
  const dir = await Deno.makeTempDir({ prefix: "medprep-rss-" });
  try {
    await Deno.mkdir(`${dir}/in`);
    for (let f = 0; f < FILES; f++) {
      writeNiftiSync(
        `${dir}/in/ct${f}.nii.gz`,
        makeVolume({ shape: SHAPE, fn: (i, j, k) => ((i * 7 + j * 13 + k * 3 + f) % 1500) - 600 }),
        { level: 1 },
      );
      writeNiftiSync(
        `${dir}/in/seg${f}.nii.gz`,
        makeVolume({ shape: SHAPE, dtype: "uint8", fn: (i, j) => (i + j + f) % 3 }),
        { level: 1 },
      );
    }
    const ids = Array.from({ length: SUBJECTS }, (_, n) => `s${String(n).padStart(3, "0")}`);
    const rows = ids.map((id, n) => `${id},in/ct${n % FILES}.nii.gz,in/seg${n % FILES}.nii.gz`);
    await Deno.writeTextFile(`${dir}/m.csv`, ["id,image,label", ...rows].join("\n") + "\n");
    await Deno.writeTextFile(`${dir}/r.yaml`, RECIPE);
    await Deno.writeTextFile(`${dir}/ids.json`, JSON.stringify(ids));
    // A process of its own, so that nothing else (earlier tests) moves its memory.
    const driver = new URL("./_rss_run.ts", import.meta.url).pathname;
    const config = new URL("../../deno.json", import.meta.url).pathname;
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--quiet", "-A", "--config", config, driver, dir, String(SUBJECTS)],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout);
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    const { code, early, late, trace } = JSON.parse(text.trim().split("\n").pop()!) as {
      code: number;
      early: number[];
      late: number[];
      trace: number[];
    };
    assert.equal(code, 0);
    assert.ok(exists(`${dir}/out/${ids[SUBJECTS - 1]}_image.nii.gz`));
    assert.ok(early.length >= 3 && late.length >= 3, `samples: ${early.length}, ${late.length}`);
    // Median of each window: a garbage-collection sawtooth is in both.
    const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
    const a = median(early), b = median(late);
    console.log(
      `RSS after 50–100 subjects: ${(a / MB).toFixed(0)} MB; after 550–600: ${
        (b / MB).toFixed(0)
      } MB (every 50 subjects: ${trace.join(" ")} MB)`,
    );
    assert.ok(
      b - a <= 50 * MB,
      `RSS grew by ${((b - a) / MB).toFixed(0)} MB (MB every 50 subjects: ${trace.join(" ")})`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
