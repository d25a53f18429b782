"""Random NIfTI files written by nibabel's header code, with nibabel's reading of each.

Usage:
  /usr/bin/python3 _gen_interop.py gen DIR SEED COUNT
      writes COUNT random files into DIR and prints one JSON line per file with nibabel's
      answer (shape, dtype, affine, affine source, scaling, stats, sample voxels).
  /usr/bin/python3 _gen_interop.py check < [[REFERENCE, OURS], ...]
      reads each pair with nibabel and prints one JSON line per pair listing the
      differences between OURS (written by medprep from a generated file) and REFERENCE
      (the generated file's "reference": itself, or for a NaN scl_inter, which nibabel
      refuses, a twin with scl_inter 0; a pair is [header, image]).

Headers are built with nibabel's Nifti1/Nifti2 (Pair)Header classes and written with
`write_to` (so big-endian, extensions, NaN slopes and odd codes are nibabel's own encoding);
the voxel bytes are written by numpy at vox_offset. Non-finite numbers print as null.
"""
import gzip
import io
import json
import logging
import sys
import warnings

import nibabel as nib
import numpy as np

from nibabel_read import finite  # same folder: NaN/±Inf → null for JSON

logging.disable(logging.CRITICAL)
warnings.simplefilter("ignore")

DTYPES = ["uint8", "int8", "int16", "uint16", "int32", "uint32", "int64", "uint64",
          "float32", "float64"]


def random_affine(rng, kind):
    """A random 4x4 affine: 'diag', 'oblique' (rotation x spacing) or 'sheared'."""
    zooms = rng.uniform(0.3, 4.0, 3)
    if kind == "diag":
        rot = np.diag(rng.choice([-1.0, 1.0], 3))
    else:
        q, r = np.linalg.qr(rng.normal(size=(3, 3)))
        rot = q * np.sign(np.diag(r))
    m = rot @ np.diag(zooms)
    if kind == "sheared":
        shear = np.eye(3)
        shear[0, 1], shear[1, 2], shear[0, 2] = rng.uniform(-0.4, 0.4, 3)
        m = m @ shear
    a = np.eye(4)
    a[:3, :3] = m
    a[:3, 3] = rng.uniform(-150, 150, 3)
    return a


def random_data(rng, dtype, shape):
    dt = np.dtype(dtype)
    if dt.kind == "f":
        data = rng.normal(50, 200, shape).astype(dt)
        mask = rng.random(shape) < 0.05
        data[mask] = np.nan
        return data
    info = np.iinfo(dt)
    lo, hi = max(info.min, -(2 ** 40)), min(info.max, 2 ** 40)
    if rng.random() < 0.3:  # include the type's extremes sometimes
        lo, hi = info.min, info.max
    data = rng.integers(lo, hi, size=shape, dtype=dt, endpoint=True)
    return data


def make_header(rng, version, pair, endian):
    if version == 1:
        cls = nib.nifti1.Nifti1PairHeader if pair else nib.Nifti1Header
    else:
        cls = nib.nifti2.Nifti2PairHeader if pair else nib.Nifti2Header
    return cls(endianness=endian)


def write_case(rng, directory, index):
    version = int(rng.choice([1, 2]))
    pair = rng.random() < 0.25
    gz = rng.random() < 0.5
    endian = ">" if rng.random() < 0.35 else "<"
    dtype = DTYPES[index % len(DTYPES)]
    ndim = int(rng.choice([1, 2, 3, 3, 3, 4, 4, 5]))
    shape = [int(n) for n in rng.integers(1, 9, ndim)]
    big = index == 2  # over the reader's 8 MiB slice, gzipped, big-endian
    if big:
        gz, endian, pair, ndim, shape = True, ">", False, 3, [260, 190, 90]
    if ndim >= 3 and rng.random() < 0.3 and not big:
        shape[0] = 1
    if ndim >= 4 and rng.random() < 0.4:
        shape[3] = 1
    if ndim == 5 and rng.random() < 0.5:
        shape[4] = 1
    hdr = make_header(rng, version, pair, endian)
    hdr.set_data_dtype(np.dtype(dtype))
    hdr.set_data_shape(shape)
    geometry = str(rng.choice(["sform", "qform", "neither", "both", "both-disagree"]))
    sa = random_affine(rng, str(rng.choice(["diag", "oblique", "sheared"])))
    qa = random_affine(rng, str(rng.choice(["diag", "oblique"])))
    if rng.random() < 0.5:  # make qfac -1 (left-handed) likely
        qa[:3, 2] *= -1 if np.linalg.det(qa[:3, :3]) > 0 else 1
    zooms = list(rng.uniform(0.2, 5.0, ndim))
    hdr.set_zooms(zooms)
    scode = int(rng.choice([1, 2, 3, 4]))
    qcode = int(rng.choice([1, 2, 3, 4]))
    if geometry in ("sform", "both", "both-disagree"):
        hdr.set_sform(sa, code=scode)
    if geometry in ("qform", "both", "both-disagree"):
        hdr.set_qform(qa if geometry != "both" else sa, code=qcode)
    if geometry == "sform":
        hdr["qform_code"] = 0
    if geometry == "qform":
        hdr["sform_code"] = 0
    if geometry == "neither":
        hdr["qform_code"] = 0
        hdr["sform_code"] = 0
    if rng.random() < 0.3:  # odd qfac: only exactly -1 means -1 (nibabel fixes the rest to 1)
        hdr["pixdim"][0] = rng.choice([0, 0.5, -2, 1, -1])
    if rng.random() < 0.2:  # zero / negative pixdim (nibabel: 0 -> 1, abs)
        k = int(rng.integers(1, 4))
        hdr["pixdim"][k] = rng.choice([0, -hdr["pixdim"][k]])
    space, time = rng.choice(["unknown", "mm", "micron", "meter"]), rng.choice(["unknown", "sec", "msec"])
    hdr.set_xyzt_units(str(space), str(time))
    if rng.random() < 0.3:
        hdr.set_intent(str(rng.choice(["t test", "correlation", "label", "vector"])),
                       (), name="medprep")
    hdr["cal_min"], hdr["cal_max"] = sorted(rng.uniform(-100, 100, 2))
    scaling = str(rng.choice(["none", "random", "zero", "nan", "nan-inter", "inf"]))
    if scaling == "random":
        hdr["scl_slope"] = rng.uniform(-3, 3)
        hdr["scl_inter"] = rng.uniform(-500, 500)
    elif scaling == "zero":
        hdr["scl_slope"], hdr["scl_inter"] = 0, rng.uniform(-5, 5)
    elif scaling == "nan":
        hdr["scl_slope"], hdr["scl_inter"] = np.nan, 3
    elif scaling == "inf":
        hdr["scl_slope"], hdr["scl_inter"] = rng.choice([np.inf, -np.inf]), 2
    elif scaling == "nan-inter":
        hdr["scl_slope"], hdr["scl_inter"] = rng.uniform(0.5, 2), np.nan
    if not pair and rng.random() < 0.3:
        text = ("medprep interop extension %d " % index).encode() * int(rng.integers(1, 6))
        hdr.extensions.append(nib.nifti1.Nifti1Extension("comment", text))
    data = random_data(rng, dtype, shape)
    if pair:  # a pair's vox_offset is where the voxels start in the .img
        hdr["vox_offset"] = int(rng.choice([0, 0, 16, 7]))
    else:
        header_size = hdr.single_vox_offset
        ext_size = hdr.extensions.get_sizeondisk()
        gap = 0 if ext_size else int(rng.integers(0, 40))  # nibabel reads a gap as extensions
        hdr["vox_offset"] = header_size + ext_size + gap
    hdr_gz = gz and (not pair or rng.random() < 0.5)
    img_gz = gz and (not pair or rng.random() < 0.5)
    raw = data.astype(data.dtype.newbyteorder(endian)).tobytes(order="F")
    stem = f"{directory}/case{index:03d}"
    members = 2 if big else int(rng.choice([1, 1, 2, 3]))
    path = emit(hdr, raw, stem, pair, hdr_gz, img_gz, members)
    twin = None
    if scaling == "nan-inter":  # nibabel refuses; SPEC §1 reads the inter as 0
        fixed = hdr.copy()
        fixed["scl_inter"] = 0
        twin = emit(fixed, raw, stem + "_twin", pair, hdr_gz, img_gz, members)
    return path, twin, {"version": version, "pair": pair, "endian": endian,
                        "geometry": geometry, "scaling": scaling, "gzip": gz}


def emit(hdr, raw, stem, pair, hdr_gz, img_gz, members=1):
    """Writes header + voxel bytes (gzip as `members` concatenated members); returns the
    path, or (header, image) for a pair."""
    head = io.BytesIO()
    hdr.write_to(head)
    if pair:
        hpath = stem + ".hdr" + (".gz" if hdr_gz else "")
        ipath = stem + ".img" + (".gz" if img_gz else "")
        store(hpath, head.getvalue(), hdr_gz, 1)
        store(ipath, b"\xee" * int(hdr["vox_offset"]) + raw, img_gz, members)
        return (hpath, ipath)
    head.write(b"\0" * (int(hdr["vox_offset"]) - head.tell()))
    path = stem + ".nii" + (".gz" if hdr_gz else "")
    store(path, head.getvalue() + raw, hdr_gz, members)
    return path


def store(path, content, gz, members):
    with open(path, "wb") as f:
        if not gz:
            f.write(content)
            return
        cut = [len(content) * k // members for k in range(members + 1)]
        for a, b in zip(cut, cut[1:]):
            f.write(gzip.compress(content[a:b], compresslevel=1, mtime=0))


def load(path):
    """nib.load, or for a pair (header, image) each half opened by its own extension."""
    if isinstance(path, str):
        return nib.load(path)
    klass = nib.Nifti2Pair if nib.Nifti2Header.may_contain_header(
        open_bytes(path[0])) else nib.Nifti1Pair
    holders = {"header": nib.fileholders.FileHolder(path[0]),
               "image": nib.fileholders.FileHolder(path[1])}
    return klass.from_file_map(holders)


def open_bytes(path):
    with (gzip.open(path) if path.endswith(".gz") else open(path, "rb")) as f:
        return f.read(540)


def answer(path, rng):
    img = load(path)
    hdr = img.header
    values = np.asarray(img.dataobj).astype(np.float64)
    slope, inter = float(img.dataobj.slope), float(img.dataobj.inter)
    if hdr["sform_code"] > 0:
        source = "sform"
    elif hdr["qform_code"] > 0:
        source = "qform"
    else:
        source = "fallback"
    flat = values.reshape(-1, order="F")
    picks = sorted(set(int(i) for i in rng.integers(0, flat.size, 6)) | {0, flat.size - 1})
    ok = flat[~np.isnan(flat)]
    return {
        "file": path if isinstance(path, str) else path[0],
        "shape": list(img.shape),
        "dtype": img.get_data_dtype().name,
        "affine": finite(img.affine.tolist()),
        "affine_source": source,
        "spacing": nib.affines.voxel_sizes(img.affine).tolist(),
        "orientation": "".join(nib.aff2axcodes(img.affine)),
        "slope": finite(slope),
        "inter": finite(inter),
        "min": finite(float(ok.min())) if ok.size else None,
        "max": finite(float(ok.max())) if ok.size else None,
        "mean": finite(float(ok.mean())) if ok.size else None,
        "std": finite(float(ok.std())) if ok.size else None,
        "samples": [[i, finite(float(flat[i]))] for i in picks],
    }


def generate(directory, seed, count):
    rng = np.random.default_rng(seed)
    for index in range(count):
        path, twin, facts = write_case(rng, directory, index)
        record = answer(twin or path, rng)
        record.update(facts)
        record["file"] = path if isinstance(path, str) else path[0]
        record["reference"] = twin or path
        print(json.dumps(record))


def compare(reference, ours):
    """Differences between medprep's copy and the original, as nibabel sees them."""
    a, b = load(reference), nib.load(ours)
    problems = []
    va = np.asarray(a.dataobj).astype(np.float64).reshape(-1, order="F")
    vb = np.asarray(b.dataobj).astype(np.float64).reshape(-1, order="F")
    # NIfTI-1 stores scl_slope/inter as float32: a NIfTI-2 source's float64 scaling is rounded
    # (up to 2^-24 relative each), so values may move by that much of |inter| + |slope·raw|.
    raw = np.abs(np.asarray(a.dataobj.get_unscaled(), dtype=np.float64))
    top = float(np.nanmax(raw)) if raw.size and not np.all(np.isnan(raw)) else 0.0
    atol = 0.0
    if a.header.sizeof_hdr == 540:
        atol = 2.0 ** -23 * (abs(float(a.dataobj.inter)) + abs(float(a.dataobj.slope)) * top)
    if va.size != vb.size:
        problems.append(f"voxel count {vb.size} != {va.size}")
    elif not np.allclose(va, vb, rtol=1e-12, atol=atol, equal_nan=True):
        bad = np.flatnonzero(~np.isclose(va, vb, rtol=1e-12, atol=atol, equal_nan=True))
        problems.append(f"{bad.size} voxels differ, first {int(bad[0])}: "
                        f"{vb[bad[0]]} != {va[bad[0]]}")
    scale = max(1.0, float(np.abs(a.affine).max()))
    if not np.allclose(a.affine, b.affine, rtol=0, atol=1e-5 * scale):
        problems.append(f"affine {b.affine.tolist()} != {a.affine.tolist()}")
    if b.get_data_dtype().name != a.get_data_dtype().name:
        problems.append(f"dtype {b.get_data_dtype().name} != {a.get_data_dtype().name}")
    qcode_in, scode_in = int(a.header["qform_code"]), int(a.header["sform_code"])
    qcode, scode = int(b.header["qform_code"]), int(b.header["sform_code"])
    # SPEC §2: a sheared affine (some pair of columns with |cos| > 1e-6) gets qform_code 0.
    cols = a.affine[:3, :3] / np.maximum(np.linalg.norm(a.affine[:3, :3], axis=0), 1e-300)
    gram = np.abs(cols.T @ cols - np.diag(np.diag(cols.T @ cols)))
    sheared = bool(np.any(gram > 1e-6))
    if [qcode, scode] != [0 if sheared else qcode_in or 2, scode_in or 2]:
        problems.append(f"codes q{qcode} s{scode} for input q{qcode_in} s{scode_in}")
    ha, hb = a.header, b.header
    units_in = int(ha["xyzt_units"])
    want_units = units_in if units_in & 7 else (units_in & 0xF8) | 2
    if int(hb["xyzt_units"]) != want_units:
        problems.append(f"xyzt_units {int(hb['xyzt_units'])} for input {units_in} (want {want_units})")
    for key in ("intent_code", "intent_p1", "intent_p2", "intent_p3", "intent_name", "cal_min",
                "cal_max"):
        want = ha[key].astype(np.float32) if ha[key].dtype.kind == "f" else ha[key]
        if hb[key] != want and not (key == "intent_code" and abs(int(ha[key])) > 32767):
            problems.append(f"{key} {hb[key]} != {ha[key]}")
    frames = a.shape[3] if len(a.shape) > 3 else 1
    if frames > 1 and hb["pixdim"][4] != np.float32(ha["pixdim"][4]):
        problems.append(f"pixdim[4] {hb['pixdim'][4]} != {ha['pixdim'][4]}")
    ref = nib.Nifti1Header()
    ref.set_data_shape(b.shape)
    ref.set_qform(a.affine, code=2)
    want = ref.get_qform()
    got = b.header.get_qform()
    if not np.allclose(got, want, rtol=0, atol=2e-5 * scale):
        problems.append(f"qform {got.tolist()} != nibabel set_qform {want.tolist()}")
    # float32 fields: at most a few ulp apart (float64 round-off before the final rounding);
    # at a 180° rotation (quatern_a = 0) b, c, d and -b, -c, -d are the same rotation.
    qb = np.array([float(hb[k]) for k in ("quatern_b", "quatern_c", "quatern_d")])
    qr = np.array([float(ref[k]) for k in ("quatern_b", "quatern_c", "quatern_d")])
    if min(np.abs(qb - qr).max(), np.abs(qb + qr).max() if hb.get_qform_quaternion()[0] < 1e-3
           else 1.0) > 4e-7:
        problems.append(f"quatern {qb.tolist()} != nibabel set_qform's {qr.tolist()}")
    for key in ("qoffset_x", "qoffset_y", "qoffset_z"):
        if abs(float(hb[key]) - float(ref[key])) > 4e-7 * max(1.0, abs(float(ref[key]))):
            problems.append(f"{key} {float(hb[key])} != nibabel set_qform's {float(ref[key])}")
    if not np.array_equal(hb["pixdim"][:4], ref["pixdim"][:4]):
        problems.append(f"pixdim[0:4] {hb['pixdim'][:4].tolist()} != nibabel set_qform's "
                        f"{ref['pixdim'][:4].tolist()}")
    return {"file": ours, "problems": problems}


def main(argv):
    if argv[0] == "gen":
        generate(argv[1], int(argv[2]), int(argv[3]))
    elif argv[0] == "check":
        for reference, ours in json.load(sys.stdin):
            print(json.dumps(compare(reference, ours)))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
