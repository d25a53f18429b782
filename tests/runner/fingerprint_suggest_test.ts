import { deepEqual, equal } from "node:assert/strict";
import { targetSpacingOf } from "../../src/runner/fingerprint_suggest.ts";
import { createRng } from "../../src/random/rng.ts";
import { HAVE_SCIPY, runScipy } from "../volume/_scipy.ts";

/** nnU-Net v2's ExperimentPlanner.determine_fullres_target_spacing, verbatim in numpy. */
const NNUNET = `
res = []
for case in inp:
    spacings = np.vstack(case["spacings"]); sizes = np.vstack(case["shapes"])
    target = np.percentile(spacings, 50, 0)
    target_size = np.percentile(sizes, 50, 0)
    worst_spacing_axis = np.argmax(target)
    other_axes = [i for i in range(len(target)) if i != worst_spacing_axis]
    other_spacings = [target[i] for i in other_axes]
    other_sizes = [target_size[i] for i in other_axes]
    has_aniso_spacing = target[worst_spacing_axis] > (3 * max(other_spacings))
    has_aniso_voxels = target_size[worst_spacing_axis] * 3 < min(other_sizes)
    if has_aniso_spacing and has_aniso_voxels:
        spacings_of_that_axis = spacings[:, worst_spacing_axis]
        target_spacing_of_that_axis = np.percentile(spacings_of_that_axis, 10)
        if target_spacing_of_that_axis < max(other_spacings):
            target_spacing_of_that_axis = max(max(other_spacings), target_spacing_of_that_axis) + 1e-5
        target[worst_spacing_axis] = target_spacing_of_that_axis
    res.append([float(x) for x in target])
out = res
`;

Deno.test({
  name:
    "targetSpacingOf equals nnU-Net's determine_fullres_target_spacing (median, anisotropy rule)",
  ignore: !HAVE_SCIPY,
  fn: async () => {
    const rng = createRng(5);
    const cases = [];
    for (let c = 0; c < 12; c++) {
      const n = 3 + (c % 5);
      const thick = c % 3 !== 0; // two thirds anisotropic
      cases.push({
        spacings: Array.from({ length: n }, () => [
          rng.uniform(0.5, 1),
          rng.uniform(0.5, 1),
          thick ? rng.uniform(c % 2 ? 2.5 : 3.5, 6) : rng.uniform(0.5, 1.2),
        ]),
        shapes: Array.from(
          { length: n },
          () => [rng.int(200, 512), rng.int(200, 512), rng.int(20, c % 4 ? 60 : 300)],
        ),
      });
    }
    const want = await runScipy(NNUNET, cases) as number[][];
    let triggered = 0;
    for (const [k, c] of cases.entries()) {
      const got = targetSpacingOf(c.spacings, c.shapes);
      deepEqual(got.spacing, want[k], `case ${k}`);
      if (got.anisotropicAxis !== null) triggered++;
    }
    equal(triggered > 0 && triggered < cases.length, true, `${triggered} cases used the rule`);
  },
});
