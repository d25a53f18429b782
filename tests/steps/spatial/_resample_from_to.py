"""nibabel's resample_from_to (scipy affine_transform, mode='constant', cval=0) of FROM onto the
grid of TO at spline ORDER, written for tests/steps/spatial/resample_to_reference_test.ts:
OUT.f64 the real values (float64, x fastest, frames last), OUT.zone one byte per output voxel:
2 = every input coordinate inside [0, N-1] (both tools interpolate there, neighbours in the
volume), 0 = some coordinate outside [-1, N] (both give the fill 0), 1 = the boundary band
between (scipy's constant mode and medprep's edge-clamped, -0.5..N-0.5 field of view differ)."""
import sys
import numpy as np
import nibabel as nib
from nibabel.processing import resample_from_to

src_path, to_path, order, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
src = nib.load(src_path)
to = nib.load(to_path)
data = np.asarray(src.get_fdata(), dtype=np.float64)
frames = data.reshape(data.shape[:3] + (-1,)) if data.ndim > 3 else data[..., None]
shape = to.shape[:3]
results = []
for f in range(frames.shape[3]):
    img = nib.Nifti1Image(frames[..., f], src.affine)
    res = resample_from_to(img, (shape, to.affine), order=order, mode="constant", cval=0)
    results.append(np.asarray(res.dataobj, dtype=np.float64))
stacked = np.stack(results, axis=3)
stacked.ravel(order="F").tofile(out + ".f64")
# input coordinates of every output voxel
m = np.linalg.inv(src.affine) @ to.affine
ijk = np.indices(shape).reshape(3, -1).astype(np.float64)
xyz = m[:3, :3] @ ijk + m[:3, 3:4]
n = np.array(src.shape[:3], dtype=np.float64)[:, None]
inside = np.all((xyz >= 0) & (xyz <= n - 1), axis=0)
outside = np.any((xyz < -1) | (xyz > n), axis=0)
zone = np.where(inside, 2, np.where(outside, 0, 1)).astype(np.uint8)
zone.reshape(shape).ravel(order="F").tofile(out + ".zone")
print(int(inside.sum()))
