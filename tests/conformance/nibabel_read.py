"""Reads NIfTI files with nibabel and prints one JSON object per file (interop test helper).

Usage: /usr/bin/python3 nibabel_read.py FILE...
"""
import hashlib
import json
import sys

import nibabel as nib
import numpy as np

for path in sys.argv[1:]:
    img = nib.load(path)
    hdr = img.header
    raw = img.dataobj.get_unscaled()
    le = raw.astype(raw.dtype.newbyteorder("<"), copy=False)
    slope, inter = img.dataobj.slope, img.dataobj.inter
    qform, qcode = img.get_qform(coded=True)
    sform, scode = img.get_sform(coded=True)
    data = img.get_fdata()
    print(json.dumps({
        "file": path,
        "dtype": raw.dtype.name,
        "shape": list(img.shape),
        "affine": img.affine.tolist(),
        "qform": None if qform is None else qform.tolist(),
        "qform_code": int(qcode),
        "sform_code": int(scode),
        "slope": None if slope is None else float(slope),
        "inter": None if inter is None else float(inter),
        "sha256": hashlib.sha256(le.tobytes(order="F")).hexdigest(),
        "mean": float(np.nanmean(data)),
        "descrip": hdr["descrip"].item().decode(),
        "units": list(hdr.get_xyzt_units()),
        "vox_offset": int(img.dataobj.offset),
    }))
