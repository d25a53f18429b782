/**
 * `save` with `format: npy | npz` (issue 12 item 8): the arrays, read with Debian's python3 +
 * numpy, hold exactly the values of the NIfTI output of the same recipe read with nibabel, in
 * the layout asked for; the sidecar's affine, spacing, orientation, original shape and
 * provenance key agree with nibabel's header and the run's provenance.
 */
import assert from "node:assert/strict";
import { writeNiftiSync } from "../../../src/nifti/nifti_write.ts";
import { makeVolume, obliqueAffine } from "../../_volumes.ts";
import { runCli } from "../../cli/_run.ts";
import { HAVE_NIBABEL, runPython } from "../../npy/_numpy.ts";

const STEPS = `  - step: load
    labels: [label]
  - step: clip
    min: -5
    max: 400
`;

function recipe(dir: string, name: string, save: string): string {
  const path = `${dir}/${name}.yaml`;
  Deno.writeTextFileSync(
    path,
    `version: 1\nname: ${name}\nsteps:\n${STEPS}  - step: save\n${save}`,
  );
  return path;
}

/** s1: a scaled int16 3D image (slope 0.5, inter -3); s2: a 4D (2 frames) int16 image. */
function writeData(dir: string): string {
  const affine = obliqueAffine([0.9, 1.1, 2.5]);
  const shape: [number, number, number] = [5, 6, 7];
  writeNiftiSync(
    `${dir}/s1_img.nii.gz`,
    makeVolume({ shape, affine, slope: 0.5, inter: -3, fn: (i, j, k) => i * 7 - j * 3 + k * 11 }),
  );
  writeNiftiSync(
    `${dir}/s2_img.nii.gz`,
    makeVolume({
      shape,
      affine,
      frames: 2,
      fn: (i, j, k, t) => i + 10 * j + 50 * k - 20 + 100 * t,
    }),
  );
  for (const id of ["s1", "s2"]) {
    writeNiftiSync(
      `${dir}/${id}_seg.nii.gz`,
      makeVolume({ shape, affine, dtype: "uint8", fn: (i, j, k) => (i + j + k) % 3 }),
    );
  }
  const rows = [
    "id,image,label,split",
    "s1,s1_img.nii.gz,s1_seg.nii.gz,train",
    "s2,s2_img.nii.gz,s2_seg.nii.gz,test",
  ];
  Deno.writeTextFileSync(`${dir}/manifest.csv`, rows.join("\n") + "\n");
  return `${dir}/manifest.csv`;
}

async function run(dir: string, recipePath: string, out: string): Promise<void> {
  const r = await runCli([
    "run",
    recipePath,
    "--manifest",
    `${dir}/manifest.csv`,
    "--out",
    out,
    "--quiet",
  ]);
  assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr}`);
}

const CHECK = `
import nibabel as nib, os
problems, checked = [], 0
def expect(cond, what):
    if not cond: problems.append(what)
for sid in ["s1", "s2"]:
    prov = json.load(open(os.path.join(inp["npy"], "provenance.json")))
    rec = [s for s in prov["subjects"] if s["id"] == sid][0]
    npz = np.load(os.path.join(inp["npz"], sid + ".npz"))
    expect(sorted(npz.files) == ["image", "label"], sid + " npz members " + str(npz.files))
    side_z = json.load(open(os.path.join(inp["npz"], sid + ".json")))
    for n, role in enumerate(["image", "label"]):
        img = nib.load(os.path.join(inp["nifti"], sid + "_" + role + ".nii.gz"))
        d = img.get_fdata()
        src = nib.load(os.path.join(inp["data"], sid + ("_img" if role == "image" else "_seg") + ".nii.gz"))
        first = np.moveaxis(d, 3, 0) if d.ndim == 4 else d[None]
        last = d if d.ndim == 4 else d[..., None]
        a = np.load(os.path.join(inp["npy"], sid + "_" + role + ".npy"))
        scaled = img.dataobj.slope != 1 or img.dataobj.inter != 0
        want_dtype = "float64" if scaled else str(img.get_data_dtype())
        expect(a.shape == first.shape, sid + role + " npy shape " + str(a.shape) + " vs " + str(first.shape))
        expect(str(a.dtype) == want_dtype, sid + role + " npy dtype " + str(a.dtype) + " vs " + want_dtype)
        expect(np.array_equal(a.astype(np.float64), first), sid + role + " npy values")
        b = npz[role]
        expect(b.shape == last.shape, sid + role + " npz shape " + str(b.shape))
        expect(str(b.dtype) == ("uint8" if role == "label" else "float32"), sid + role + " npz dtype " + str(b.dtype))
        expect(np.array_equal(b.astype(np.float64), last), sid + role + " npz values")
        for side, arr in [(json.load(open(os.path.join(inp["npy"], sid + "_" + role + ".json"))), None), (side_z, n)]:
            s = side if arr is None else dict(side, **side["arrays"][arr])
            expect(np.allclose(np.array(s["affine"]), img.affine, atol=1e-4), sid + role + " affine")
            expect(np.allclose(s["spacing"], img.header.get_zooms()[:3], atol=1e-5), sid + role + " spacing")
            expect(s["orientation"] == "".join(nib.aff2axcodes(img.affine)), sid + role + " orientation " + s["orientation"])
            expect(s["originalShape"] == list(src.shape[:3]), sid + role + " originalShape")
            expect(s["spatialShape"] == list(d.shape[:3]), sid + role + " spatialShape")
            expect(s["provenance"]["subject"] == sid and s["provenance"]["copy"] == 0, sid + " provenance key")
            checked += 1
        side = json.load(open(os.path.join(inp["npy"], sid + "_" + role + ".json")))
        expect(side["layout"] == "channels-first" and side["axes"] == ["c", "x", "y", "z"], "npy layout")
        expect(side["arrays"][0]["shape"] == list(first.shape), "npy sidecar shape")
        expect(side["arrays"][0]["dtype"] == want_dtype, "npy sidecar dtype")
        paths = [o["path"] for o in rec["outputs"]]
        expect(sid + "_" + role + ".npy" in paths and sid + "_" + role + ".json" in paths, sid + " provenance outputs " + str(paths))
    expect(side_z["layout"] == "channels-last" and [x["name"] for x in side_z["arrays"]] == ["image", "label"], "npz sidecar")
out = {"problems": problems, "checked": checked}
`;

Deno.test({
  name:
    "save format npy/npz: values, shapes, dtypes and sidecars equal the NIfTI output read with nibabel",
  ignore: !HAVE_NIBABEL,
  async fn() {
    const dir = Deno.makeTempDirSync({ prefix: "medprep-save-arrays-" });
    try {
      writeData(dir);
      await run(dir, recipe(dir, "nifti", ""), `${dir}/nifti`);
      await run(dir, recipe(dir, "npy", "    format: npy\n"), `${dir}/npy`);
      const npz = recipe(
        dir,
        "npz",
        "    format: npz\n    layout: channels-last\n    dtype: float32\n",
      );
      await run(dir, npz, `${dir}/npz`);
      const got = await runPython(CHECK, {
        data: dir,
        nifti: `${dir}/nifti`,
        npy: `${dir}/npy`,
        npz: `${dir}/npz`,
      }) as { problems: string[]; checked: number };
      assert.deepEqual(got.problems, []);
      assert.equal(got.checked, 8);
      // Deterministic bytes: a second run writes the same npz and sidecar.
      await run(dir, npz, `${dir}/npz2`);
      for (const f of ["s1.npz", "s1.json", "s2.npz"]) {
        assert.deepEqual(
          Deno.readFileSync(`${dir}/npz2/${f}`),
          Deno.readFileSync(`${dir}/npz/${f}`),
          f,
        );
      }
      const prov = JSON.parse(Deno.readTextFileSync(`${dir}/npz/provenance.json`));
      const outputs = prov.subjects[0].outputs;
      assert.deepEqual(outputs.map((o: { path: string }) => o.path), ["s1.npz", "s1.json"]);
      assert.deepEqual(outputs[0].arrays, ["image", "label"]);
      assert.equal(outputs[0].role, "image+label");
      assert.equal(outputs[1].sidecarOf, "s1.npz");
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});
