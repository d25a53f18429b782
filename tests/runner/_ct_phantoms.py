"""CT phantoms with labels for the dataset statistics tests (issue 13), and the numpy reference.

Usage: python3 _ct_phantoms.py make DIR N SEED   -> writes DIR/sK_ct.nii.gz, sK_seg.nii.gz, manifest.csv
       python3 _ct_phantoms.py stats DIR          -> JSON: exact pooled foreground statistics (numpy),
                                                     nnU-Net's sampled estimate, median spacing rule
"""
import json
import sys

import nibabel as nib
import numpy as np


def make(d, n, seed):
    rs = np.random.RandomState(seed)
    rows = ["id,image,label"]
    for k in range(n):
        shape = (28 + rs.randint(0, 6), 26 + rs.randint(0, 6), 6 + rs.randint(0, 3))
        sp = (0.7 + 0.05 * rs.randint(0, 5), 0.7 + 0.05 * rs.randint(0, 5), 2.5 + 0.5 * rs.randint(0, 4))
        aff = np.diag([sp[0], sp[1], sp[2], 1.0])
        aff[:3, 3] = rs.uniform(-50, 50, 3)
        x, y, z = np.meshgrid(*[np.arange(s) for s in shape], indexing="ij")
        c = [s / 2 + rs.uniform(-2, 2) for s in shape]
        r = ((x - c[0]) / 9) ** 2 + ((y - c[1]) / 8) ** 2 + ((z - c[2]) / 3) ** 2
        body = ((x - c[0]) / 13) ** 2 + ((y - c[1]) / 12) ** 2 < 1
        ct = np.full(shape, -1024.0)
        ct[body] = np.round(rs.normal(20, 35, body.sum()))
        bone = body & (rs.uniform(size=shape) < 0.05)
        ct[bone] = np.round(rs.uniform(300, 1500, bone.sum()))
        lab = np.zeros(shape, np.uint8)
        lab[r < 1] = 1
        lab[(r < 0.3)] = 2
        ct[r < 1] = np.round(rs.normal(90, 25, (r < 1).sum()))
        if k % 3 == 2:
            # integer values stored as float32 (still integer-valued: exact statistics)
            img = nib.Nifti1Image(ct.astype(np.float32), aff)
        else:
            img = nib.Nifti1Image(ct.astype(np.int16), aff)
        img.header.set_sform(aff, 1)
        nib.save(img, f"{d}/s{k}_ct.nii.gz")
        seg = nib.Nifti1Image(lab, aff)
        seg.header.set_sform(aff, 1)
        nib.save(seg, f"{d}/s{k}_seg.nii.gz")
        rows.append(f"s{k},s{k}_ct.nii.gz,s{k}_seg.nii.gz")
    open(f"{d}/manifest.csv", "w").write("\n".join(rows) + "\n")


def nnunet_target_spacing(spacings, sizes, anisotropy_threshold=3):
    """nnU-Net v2 ExperimentPlanner.determine_fullres_target_spacing."""
    target = np.percentile(np.vstack(spacings), 50, 0)
    target_size = np.percentile(np.vstack(sizes), 50, 0)
    worst_spacing_axis = np.argmax(target)
    other_axes = [i for i in range(len(target)) if i != worst_spacing_axis]
    other_spacings = [target[i] for i in other_axes]
    other_sizes = [target_size[i] for i in other_axes]
    has_aniso_spacing = target[worst_spacing_axis] > (anisotropy_threshold * max(other_spacings))
    has_aniso_voxels = target_size[worst_spacing_axis] * anisotropy_threshold < min(other_sizes)
    if has_aniso_spacing and has_aniso_voxels:
        spacings_of_that_axis = np.vstack(spacings)[:, worst_spacing_axis]
        target_spacing_of_that_axis = np.percentile(spacings_of_that_axis, 10)
        if target_spacing_of_that_axis < max(other_spacings):
            target_spacing_of_that_axis = max(max(other_spacings), target_spacing_of_that_axis) + 1e-5
        target[worst_spacing_axis] = target_spacing_of_that_axis
    return target


def stats(d, total_samples=10**7):
    ids = [l.split(",")[0] for l in open(f"{d}/manifest.csv").read().split("\n")[1:] if l]
    fg, spacings, sizes, sampled = [], [], [], []
    per_case = int(total_samples // len(ids))
    for i in ids:
        img = nib.load(f"{d}/{i}_ct.nii.gz")
        ct = img.get_fdata()
        lab = np.asanyarray(nib.load(f"{d}/{i}_seg.nii.gz").dataobj)
        vox = ct[lab > 0]
        fg.append(vox)
        spacings.append(np.linalg.norm(img.affine[:3, :3], axis=0))
        sizes.append(ct.shape)
        # nnU-Net DatasetFingerprintExtractor.collect_foreground_intensities: a fresh
        # RandomState(1234) per case, sampling with replacement
        rs = np.random.RandomState(1234)
        sampled.append(rs.choice(vox, per_case, replace=True))
    pooled = np.concatenate(fg)
    samp = np.concatenate(sampled)

    def summary(a):
        p = np.percentile(a, [0.5, 50, 99.5])
        return {"n": int(a.size), "mean": float(np.mean(a)), "std": float(np.std(a)),
                "min": float(a.min()), "max": float(a.max()),
                "p0_5": float(p[0]), "p50": float(p[1]), "p99_5": float(p[2])}

    return {
        "exact": summary(pooled),
        "sampled": summary(samp),
        "median": [float(x) for x in np.percentile(np.vstack(spacings), 50, 0)],
        "target": [float(x) for x in nnunet_target_spacing(spacings, sizes)],
    }


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    else:
        print(json.dumps(stats(sys.argv[2])))
