import { deepEqual, equal, throws } from "node:assert/strict";
import { load } from "../../../src/steps/io/load.ts";
import type { Volume } from "../../../src/volume/volume.ts";
import { makeVolume } from "../../_volumes.ts";

const paths = { image: "/in/a.nii.gz", seg: "/in/a_seg.nii.gz", t2: "/in/a_t2.nii" };
const volumes = new Map<string, Volume>([
  [paths.image, makeVolume({ shape: [5, 6, 7], dtype: "int16" })],
  [paths.seg, makeVolume({ shape: [5, 6, 7], dtype: "uint8" })],
  [paths.t2, makeVolume({ shape: [5, 6, 7], dtype: "float32" })],
]);
const io = { read: (path: string) => volumes.get(path)! };

Deno.test("load.read reads every role with a file, labels marked, input type kept", () => {
  const params = load.params.parse({ labels: ["seg"] });
  const subject = load.read({ id: "a", paths }, params, io);
  equal(subject.id, "a");
  equal(subject.copy, 0);
  deepEqual(subject.items.map((it) => [it.role, it.label, it.inputDType, it.sourcePath]), [
    ["image", false, "int16", paths.image],
    ["seg", true, "uint8", paths.seg],
    ["t2", false, "float32", paths.t2],
  ]);
  deepEqual(load.roles(params), { roles: undefined, labels: ["seg"] });
});

Deno.test("load.read reads only load.roles, in their order, and fails on a missing file", () => {
  const params = load.params.parse({ roles: ["t2", "image"] });
  deepEqual(load.read({ id: "a", paths }, params, io).items.map((it) => it.role), ["t2", "image"]);
  throws(
    () => load.read({ id: "a", paths: { image: paths.image } }, params, io),
    /Cannot load role "t2": the manifest row has no file for it/,
  );
});
