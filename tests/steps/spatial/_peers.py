"""Reference peers of the resample steps (test helper, Debian /usr/bin/python3).

Reads one JSON object on stdin and prints one JSON object:
- {"op": "torchio", "shape", "affine", "spacing", "data"}: TorchIO's Resample(spacing)
  transcribed from torchio/transforms/preprocessing/spatial/resample.py
  (get_reference_image) — TorchIO itself cannot be installed here. Output: size, RAS affine,
  the continuous input index each output voxel samples per axis, and linear values as the
  SimpleITK ResampleImageFilter it drives computes them (neighbours clamped at the border,
  default pixel 0 outside the half-open buffer [-0.5, N - 0.5)).
- {"op": "skimage", "shape", "sizes", "data"}: per size, skimage.transform.resize with
  order=1, anti_aliasing=True, mode='edge', clip=False ("data") and with its defaults
  mode='reflect', clip=True ("defaults").
Volumes travel as flat lists, x fastest (Fortran order of an (nx, ny, nz) array).
"""
import json
import sys

import numpy as np


def torchio(inp):
    affine = np.array(inp["affine"], dtype=np.float64)
    shape = np.array(inp["shape"])
    # nib_to_sitk: spacing = column norms of the RAS affine, direction = normalised columns.
    old_spacing = np.sqrt(np.sum(affine[:3, :3] * affine[:3, :3], axis=0))
    new_spacing = np.array(inp["spacing"], dtype=np.float64)
    # get_reference_image: size ceil(N*s/t) (singleton axes kept), origin at index (t/s - 1)/2
    new_size = np.ceil(shape * old_spacing / new_spacing).astype(np.uint16)
    new_size[shape == 1] = 1
    origin_index = 0.5 * (new_spacing / old_spacing - 1)
    direction = affine[:3, :3] / old_spacing
    out_affine = np.eye(4)
    out_affine[:3, :3] = direction * new_spacing
    out_affine[:3, 3] = affine[:3, :3] @ origin_index + affine[:3, 3]
    # Output voxel i samples the physical point origin + D diag(t) i, i.e. input index
    # origin_index + i * t / s (identity transform, same direction).
    coords = [origin_index[a] + np.arange(new_size[a]) * (new_spacing[a] / old_spacing[a])
              for a in range(3)]
    vol = np.array(inp["data"], dtype=np.float64).reshape(tuple(shape), order="F")
    out = np.zeros(tuple(int(m) for m in new_size))
    grids = np.meshgrid(*coords, indexing="ij")
    inside = np.ones(out.shape, dtype=bool)
    lo, frac = [], []
    for a, g in enumerate(grids):
        n = shape[a]
        inside &= (g >= -0.5) & (g < n - 0.5)
        f = np.floor(g)
        lo.append(f.astype(np.int64))
        frac.append(g - f)
    acc = np.zeros(out.shape)
    for corner in range(8):
        w = np.ones(out.shape)
        idx = []
        for a in range(3):
            bit = (corner >> a) & 1
            w *= frac[a] if bit else 1 - frac[a]
            idx.append(np.clip(lo[a] + bit, 0, shape[a] - 1))
        acc += w * vol[idx[0], idx[1], idx[2]]
    out[inside] = acc[inside]
    return {
        "size": [int(m) for m in new_size],
        "affine": out_affine.tolist(),
        "coords": [c.tolist() for c in coords],
        "data": out.flatten(order="F").tolist(),
    }


def skimage_resize(inp):
    from skimage.transform import resize
    vol = np.array(inp["data"], dtype=np.float64).reshape(tuple(inp["shape"]), order="F")
    results = []
    for size in inp["sizes"]:
        out = resize(vol, tuple(size), order=1, anti_aliasing=True, mode="edge", clip=False)
        defaults = resize(vol, tuple(size), order=1, anti_aliasing=True)
        results.append({"data": out.flatten(order="F").tolist(),
                        "defaults": defaults.flatten(order="F").tolist()})
    return {"results": results}


def main():
    inp = json.loads(sys.stdin.read())
    out = torchio(inp) if inp["op"] == "torchio" else skimage_resize(inp)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
