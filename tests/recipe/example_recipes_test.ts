/**
 * The example recipes of issue 12 item 11, validated and run end to end on the demo data the
 * project generates (tools/demo_sets.ts), their outputs checked against nibabel + numpy doing
 * the same preprocessing: pipelines/nnunet-ct.yaml (reorient RAS, crop to nonzero, resample to
 * spacing, foreground clip + z-score, npz) and pipelines/brats-multimodal.yaml (four MR roles
 * stacked, brain-mask z-score, crop-or-pad 128³, relabel {4: 3}, channels-first npy).
 */
import assert from "node:assert/strict";
import { readRecipe } from "../../src/recipe/validate.ts";
import { writeBratsSet, writeCtSet } from "../../tools/demo_sets.ts";
import { runCli } from "../cli/_run.ts";
import { HAVE_NIBABEL, runPython } from "../npy/_numpy.ts";

const PIPELINES = new URL("../../pipelines/", import.meta.url);

async function runExample(name: string, data: string, out: string): Promise<void> {
  const recipe = new URL(name, PIPELINES).pathname;
  const { recipe: parsed } = await readRecipe(recipe);
  assert.equal(parsed.version, 1);
  const r = await runCli([
    "run",
    recipe,
    "--manifest",
    `${data}/manifest.csv`,
    "--out",
    out,
    "--quiet",
  ]);
  assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr}`);
  const prov = JSON.parse(Deno.readTextFileSync(`${out}/provenance.json`));
  assert.deepEqual(prov.subjects.map((s: { status: string }) => s.status), [
    "done",
    "done",
    "done",
  ]);
}

const CT_CHECK = `
import nibabel as nib, os
problems, checked = [], 0
def expect(cond, what):
    if not cond: problems.append(what)
for sid in ["ct001", "ct002", "ct003"]:
    src = nib.load(os.path.join(inp["data"], sid + "_ct.nii.gz"))
    img = nib.as_closest_canonical(src)
    lab = nib.as_closest_canonical(nib.load(os.path.join(inp["data"], sid + "_label.nii.gz")))
    d, l = img.get_fdata(), np.asanyarray(lab.dataobj)
    nz = np.argwhere(d != 0)
    lo, hi = nz.min(0), nz.max(0) + 1
    N = hi - lo
    s = np.array(img.header.get_zooms()[:3], dtype=float)
    t = np.array([1.5, 1.5, 2.5])
    M = np.maximum(1, np.round(N * s / t)).astype(int)   # SPEC 3, grid center
    r = t / s
    off = (N - 1) / 2 - (M - 1) / 2 * r
    A = img.affine.copy()
    A[:3, 3] = A[:3, :3] @ lo + A[:3, 3]                  # crop
    B = A.copy()
    B[:3, :3] = A[:3, :3] * r
    B[:3, 3] = A[:3, :3] @ off + A[:3, 3]                # resample, centre grid
    z = np.load(os.path.join(inp["out"], sid + ".npz"))
    side = json.load(open(os.path.join(inp["out"], sid + ".json")))
    expect(sorted(z.files) == ["image", "label"], sid + " members " + str(z.files))
    image, label = z["image"], z["label"]
    expect(image.shape == (1, *M), sid + " image shape " + str(image.shape) + " want " + str(M))
    expect(label.shape == (1, *M), sid + " label shape " + str(label.shape))
    expect(str(image.dtype) == "float32", sid + " image dtype " + str(image.dtype))
    expect(str(label.dtype) == "uint8", sid + " label dtype " + str(label.dtype))
    expect(side["orientation"] == "RAS", sid + " orientation " + side["orientation"])
    expect(np.allclose(np.array(side["affine"]), B, atol=1e-4), sid + " affine " + str(side["affine"]) + " want " + str(B.tolist()))
    expect(side["originalShape"] == list(src.shape), sid + " originalShape")
    # Nearest-neighbour label on the SPEC grid: index floor(x + 0.5) clamped.
    lc = l[lo[0]:hi[0], lo[1]:hi[1], lo[2]:hi[2]]
    idx = [np.clip(np.floor(off[a] + np.arange(M[a]) * r[a] + 0.5).astype(int), 0, N[a] - 1) for a in range(3)]
    want = lc[np.ix_(*idx)]
    expect(np.array_equal(label[0], want), sid + " label differs from nearest resampling of the cropped canonical label")
    v = image[0][label[0] > 0].astype(np.float64)
    expect(abs(v.mean()) < 1e-3 and abs(v.std() - 1) < 1e-3, sid + " foreground mean/std " + str((v.mean(), v.std())))
    checked += 1
out = {"problems": problems, "checked": checked}
`;

Deno.test({
  name:
    "pipelines/nnunet-ct.yaml runs on the CT demo data: npz shapes, grid, labels and z-score match nibabel + numpy",
  ignore: !HAVE_NIBABEL,
  async fn() {
    const dir = Deno.makeTempDirSync({ prefix: "medprep-example-ct-" });
    try {
      writeCtSet(`${dir}/ct`);
      await runExample("nnunet-ct.yaml", `${dir}/ct`, `${dir}/out`);
      const got = await runPython(CT_CHECK, { data: `${dir}/ct`, out: `${dir}/out` }) as {
        problems: string[];
        checked: number;
      };
      assert.deepEqual(got.problems, []);
      assert.equal(got.checked, 3);
      const manifest = Deno.readTextFileSync(`${dir}/out/manifest.csv`).trim().split("\n");
      assert.deepEqual(manifest, [
        "id,npz,npz_sidecar",
        "ct001,ct001.npz,ct001.json",
        "ct002,ct002.npz,ct002.json",
        "ct003,ct003.npz,ct003.json",
      ]);
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});

const BRATS_CHECK = `
import nibabel as nib, os
problems, checked = [], 0
def expect(cond, what):
    if not cond: problems.append(what)
def pad(a, size=128):
    w = []
    for n in a.shape:
        d = size - n
        w.append(((d + 1) // 2, d // 2))
    return np.pad(a, w)
for sid in ["brats001", "brats002", "brats003"]:
    f = lambda role: os.path.join(inp["data"], sid + "_" + role + ".nii.gz")
    mask = np.asanyarray(nib.load(f("brainmask")).dataobj) > 0
    seg = np.asanyarray(nib.load(f("seg")).dataobj)
    image = np.load(os.path.join(inp["out"], sid + "_image.npy"))
    label = np.load(os.path.join(inp["out"], sid + "_label.npy"))
    bm = np.load(os.path.join(inp["out"], sid + "_brainmask.npy"))
    expect(image.shape == (4, 128, 128, 128) and str(image.dtype) == "float32", sid + " image " + str(image.shape) + str(image.dtype))
    expect(label.shape == (1, 128, 128, 128) and str(label.dtype) == "uint8", sid + " label " + str(label.shape) + str(label.dtype))
    for c, m in enumerate(["t1", "t1ce", "t2", "flair"]):
        x = nib.load(f(m)).get_fdata()
        mean, std = x[mask].mean(), x[mask].std()
        want = pad(np.where(mask, (x - mean) / std, 0.0))
        expect(np.allclose(image[c], want, atol=2e-5, rtol=1e-5), sid + " channel " + m + " max diff " + str(np.abs(image[c] - want).max()))
    expect(np.array_equal(label[0], pad(np.where(seg == 4, 3, seg))), sid + " label != pad(relabel {4: 3})")
    expect(set(np.unique(label).tolist()) == {0, 1, 2, 3}, sid + " label values " + str(np.unique(label)))
    expect(np.array_equal(bm[0] > 0, pad(mask)), sid + " brainmask")
    side = json.load(open(os.path.join(inp["out"], sid + "_image.json")))
    expect(side["layout"] == "channels-first" and side["arrays"][0]["shape"] == [4, 128, 128, 128], sid + " sidecar")
    expect(side["arrays"][0]["channels"] == 4, sid + " channels")
    checked += 1
out = {"problems": problems, "checked": checked}
`;

Deno.test({
  name:
    "pipelines/brats-multimodal.yaml runs on the MR demo data: stacked channels, masked z-score, 128³ and labels match nibabel + numpy",
  ignore: !HAVE_NIBABEL,
  async fn() {
    const dir = Deno.makeTempDirSync({ prefix: "medprep-example-brats-" });
    try {
      writeBratsSet(`${dir}/brats`);
      await runExample("brats-multimodal.yaml", `${dir}/brats`, `${dir}/out`);
      const got = await runPython(BRATS_CHECK, { data: `${dir}/brats`, out: `${dir}/out` }) as {
        problems: string[];
        checked: number;
      };
      assert.deepEqual(got.problems, []);
      assert.equal(got.checked, 3);
      const dataset = JSON.parse(Deno.readTextFileSync(`${dir}/out/dataset.json`));
      assert.equal(dataset.numTraining, 3);
      assert.equal(dataset.tensorImageSize, "4D");
      assert.equal(dataset.training[0].image, "brats001_image.npy");
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});
