"""Independent numpy/scipy implementation of SPEC §3 resampling (test helper).

Usage: /usr/bin/python3 _resample_ref.py < cases.json
cases.json: [{"id", "input" (raw float64 real values, x fastest, then y, z, frame),
"shape": [nx, ny, nz], "frames", "affine" (4x4), "size" or "spacing" ([a, b, c], null keeps
the axis), "grid", "interpolation", "antialias", "fill", "label"}, ...].
For each case writes <input>.expected (float64 real values, same layout) and prints one
JSON line {"id", "shape", "affine"}. Everything is float64; nearest is floor(x + 0.5)
done here (scipy's order 0 rounds halves differently).
"""
import json
import sys

import numpy as np
from scipy import ndimage


def round_half_even(x):
    return float(np.round(x))


def axis_map(n, s, size, spacing, grid):
    """(x(i) array, r) for one axis by the SPEC §3 formulas."""
    if spacing is not None:
        r = spacing / s
        if grid == "edge":  # TorchIO Resample(spacing): ceil, singleton kept, first edge kept
            m = 1 if n == 1 else int(np.ceil(n * s / spacing))
            return (r - 1) / 2 + np.arange(m, dtype=np.float64) * r, r
        m = max(1, int(round_half_even(n * s / spacing)))
    elif size is None:
        return np.arange(n, dtype=np.float64), 1.0
    else:
        m = size
        if grid == "corners" and n > 1:
            if m == 1:
                return np.zeros(1), float(n)  # first centre kept; medprep's choice r = N
            t = s * (n - 1) / (m - 1)
            return np.arange(m) * (n - 1) / (m - 1), t / s
        if grid == "corners":
            grid = "center"  # a one-voxel axis: every sample is that voxel
        t = s * n / m
        r = t / s
    i = np.arange(m, dtype=np.float64)
    if grid == "origin":
        return i * r, r
    return (n - 1) / 2 + (i - (m - 1) / 2) * r, r


def resample_frame(vol, xs, rs, interpolation, antialias, fill):
    work = vol.astype(np.float64)
    if antialias:
        for axis, r in enumerate(rs):
            if r > 1:
                work = ndimage.gaussian_filter1d(work, (r - 1) / 2, axis=axis, mode="nearest",
                                                 truncate=4.0)
    grids = np.meshgrid(*xs, indexing="ij")
    shape = grids[0].shape
    inside = np.ones(shape, dtype=bool)
    for axis, g in enumerate(grids):
        n = vol.shape[axis]
        inside &= (g >= -0.5 - 1e-4) & (g <= n - 0.5 + 1e-4)  # SPEC §3 edge tolerance
    if interpolation == "nearest":
        idx = [np.clip(np.floor(g + 0.5), 0, vol.shape[a] - 1).astype(np.int64)
               for a, g in enumerate(grids)]
        out = work[tuple(idx)]
    elif interpolation == "linear":
        out = ndimage.map_coordinates(work, np.stack(grids), order=1, mode="nearest")
    else:
        coeffs = ndimage.spline_filter(work, order=3, mode="mirror")
        out = ndimage.map_coordinates(coeffs, np.stack(grids), order=3, mode="mirror",
                                      prefilter=False)
    return np.where(inside, out, fill)


def run(case):
    nx, ny, nz = case["shape"]
    frames = case["frames"]
    values = np.fromfile(case["input"], dtype="<f8").reshape((frames, nz, ny, nx))
    affine = np.array(case["affine"], dtype=np.float64)
    s = np.sqrt((affine[:3, :3] ** 2).sum(axis=0))
    xs, rs = [], []
    for a in range(3):
        size = case["size"][a] if "size" in case else None
        spacing = case["spacing"][a] if "spacing" in case else None
        x, r = axis_map(case["shape"][a], s[a], size, spacing, case["grid"])
        xs.append(x)
        rs.append(r)
    interpolation = "nearest" if case["label"] else case["interpolation"]
    antialias = case["antialias"] and not case["label"]
    outs = []
    for f in range(frames):
        vol = values[f].transpose(2, 1, 0)  # -> [x, y, z]
        out = resample_frame(vol, xs, rs, interpolation, antialias, case["fill"])
        outs.append(out.transpose(2, 1, 0))
    np.stack(outs).astype("<f8").tofile(case["input"] + ".expected")
    out_affine = affine.copy()
    out_affine[:3, :3] = affine[:3, :3] * np.array(rs)
    out_affine[:3, 3] = affine[:3, :3] @ np.array([x[0] for x in xs]) + affine[:3, 3]
    return {"id": case["id"], "shape": [len(x) for x in xs], "affine": out_affine.tolist(),
            "coords": [x.tolist() for x in xs]}


def main():
    for case in json.load(sys.stdin):
        print(json.dumps(run(case)))


if __name__ == "__main__":
    main()
