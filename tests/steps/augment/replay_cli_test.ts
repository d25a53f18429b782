import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { writeNiftiSync } from "../../../src/nifti/nifti_write.ts";
import { makeVolume } from "../../_volumes.ts";

const MAIN = new URL("../../../src/main.ts", import.meta.url).pathname;
const CONFIG = new URL("../../../deno.json", import.meta.url).pathname;

const RECIPE = `version: 1
name: aug
seed: 3
steps:
  - step: load
    labels: [label]
  - step: augment
    copies: 3
    transforms:
      - flip: { axes: [0, 1], p: 0.5 }
      - affine: { rotate: 20, scale: [0.9, 1.1] }
      - elastic: { maxDisplacement: 3 }
      - crop: { size: [24, 24, 20], mode: foreground, foregroundProbability: 0.5 }
      - noise: { std: [0, 10] }
  - step: save
    name: "{id}_{role}_{copy}.nii.gz"
`;

async function medprep(...args: string[]): Promise<void> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", CONFIG, MAIN, ...args, "--quiet"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
}

function hashes(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of [...Deno.readDirSync(dir)].filter((e) => e.name.endsWith(".nii.gz"))) {
    out[e.name] = createHash("sha256").update(Deno.readFileSync(`${dir}/${e.name}`)).digest("hex");
  }
  return out;
}

Deno.test("run --replay reproduces one augmented copy's bytes from provenance alone, whatever --seed says", async () => {
  const dir = await Deno.makeTempDir({ prefix: "medprep-augment-replay-" });
  try {
    const shape: [number, number, number] = [40, 36, 30];
    writeNiftiSync(
      `${dir}/a_img.nii.gz`,
      makeVolume({ shape, fn: (i, j, k) => Math.round(200 * Math.sin(i / 5) + j * k) - 1000 }),
    );
    writeNiftiSync(
      `${dir}/a_lab.nii.gz`,
      makeVolume({
        shape,
        dtype: "uint8",
        fn: (i, j, k) => ((i - 20) ** 2 + (j - 18) ** 2 + (k - 15) ** 2 < 40 ? 1 : 0),
      }),
    );
    Deno.writeTextFileSync(
      `${dir}/m.csv`,
      "id,image,label\n" +
        ["a", "b", "c"].map((id) => `${id},a_img.nii.gz,a_lab.nii.gz\n`).join(""),
    );
    Deno.writeTextFileSync(`${dir}/r.yaml`, RECIPE);
    const run = (out: string, ...more: string[]) =>
      medprep(
        "run",
        `${dir}/r.yaml`,
        "--manifest",
        `${dir}/m.csv`,
        "--out",
        `${dir}/${out}`,
        ...more,
      );
    await run("one", "--workers", "1");
    await run("two", "--workers", "3");
    const first = hashes(`${dir}/one`);
    assert.equal(Object.keys(first).length, 18);
    assert.deepEqual(hashes(`${dir}/two`), first, "outputs depend on the worker count");
    await run(
      "replay",
      "--seed",
      "99",
      "--replay",
      `${dir}/one/provenance.json`,
      "--subject",
      "a",
      "--copy",
      "1",
    );
    assert.deepEqual(hashes(`${dir}/replay`), {
      "a_image_1.nii.gz": first["a_image_1.nii.gz"],
      "a_label_1.nii.gz": first["a_label_1.nii.gz"],
    });
    await run("other", "--seed", "99");
    assert.notEqual(hashes(`${dir}/other`)["a_image_1.nii.gz"], first["a_image_1.nii.gz"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
