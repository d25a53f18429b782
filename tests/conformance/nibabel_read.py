"""Reads NIfTI files with nibabel and prints one JSON object per file (interop test helper).

Usage: /usr/bin/python3 nibabel_read.py [--tolerant] FILE...
With --tolerant a file nibabel cannot load prints {"file": ..., "error": ...} instead of failing.
Non-finite numbers are printed as null (JSON has no NaN).
"""
import hashlib
import json
import logging
import math
import sys
import warnings

import nibabel as nib
import numpy as np

logging.disable(logging.CRITICAL)
warnings.simplefilter("ignore")


def finite(x):
    """Nested lists/floats with NaN and +-Inf replaced by None."""
    if isinstance(x, list):
        return [finite(v) for v in x]
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


def units(hdr):
    """(space, time) unit names; None when the header's code is not a known unit."""
    try:
        return list(hdr.get_xyzt_units())
    except KeyError:
        return None


def describe(path):
    img = nib.load(path)
    hdr = img.header
    raw = img.dataobj.get_unscaled()
    le = raw.astype(raw.dtype.newbyteorder("<"), copy=False)
    slope, inter = img.dataobj.slope, img.dataobj.inter
    try:
        qform, qcode = img.get_qform(coded=True)
    except ValueError:  # an invalid quaternion only matters when the qform is used
        qform, qcode = None, int(hdr["qform_code"])
    _, scode = img.get_sform(coded=True)
    return {
        "file": path,
        "dtype": raw.dtype.name,
        "shape": list(img.shape),
        "affine": finite(img.affine.tolist()),
        "qform": None if qform is None else finite(qform.tolist()),
        "qform_code": int(qcode),
        "sform_code": int(scode),
        "slope": finite(float(slope)),
        "inter": finite(float(inter)),
        "sha256": hashlib.sha256(le.tobytes(order="F")).hexdigest(),
        "descrip": hdr["descrip"].item().decode(errors="replace"),
        "units": units(hdr),
        "vox_offset": int(img.dataobj.offset),
    }


def main(argv):
    tolerant = argv[:1] == ["--tolerant"]
    for path in argv[1 if tolerant else 0:]:
        try:
            record = describe(path)
        except Exception as e:  # noqa: BLE001 - reported to the test
            if not tolerant:
                raise
            record = {"file": path, "error": f"{type(e).__name__}: {e}"}
        print(json.dumps(record))


if __name__ == "__main__":
    main(sys.argv[1:])
