"""Reference for the reorient step: nibabel's answer for each (file, code) pair.

Reads JSON [{"file": path, "codes": ["RAS", ...]}] on stdin; prints one JSON line per pair:
{file, code, shape, affine, sha256} where sha256 is of the reoriented raw (unscaled) voxels,
little-endian, x fastest (Fortran order), exactly as medprep stores them. RAS uses
`as_closest_canonical`; other codes `io_orientation` + `ornt_transform` + `apply_orientation`
+ `inv_ornt_aff`.
"""
import hashlib
import json
import sys

import nibabel as nib
import numpy as np
from nibabel import orientations as o

for job in json.load(sys.stdin):
    img = nib.load(job["file"])
    raw = np.asanyarray(img.dataobj.get_unscaled())
    # Trailing size-1 dimensions collapse; more than one extra dimension is flattened into 4D.
    while raw.ndim > 3 and raw.shape[-1] == 1:
        raw = raw[..., 0]
    if raw.ndim > 4:
        raw = raw.reshape(raw.shape[:3] + (-1,), order="F")
    img = nib.Nifti1Image(raw, img.affine)
    for code in job["codes"]:
        if code == "RAS":
            out = nib.as_closest_canonical(img)
            data, affine = np.asanyarray(out.dataobj), out.affine
        else:
            t = o.ornt_transform(o.io_orientation(img.affine), o.axcodes2ornt(tuple(code)))
            data = o.apply_orientation(raw, t)
            affine = img.affine @ o.inv_ornt_aff(t, raw.shape)
        le = np.asarray(data, dtype=data.dtype.newbyteorder("<"))
        digest = hashlib.sha256(le.tobytes(order="F")).hexdigest()
        print(json.dumps({
            "file": job["file"],
            "code": code,
            "shape": list(data.shape),
            "affine": affine.tolist(),
            "sha256": digest,
        }))
