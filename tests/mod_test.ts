import assert from "node:assert/strict";
import * as mod from "../mod.ts";

const ROOT = new URL("../", import.meta.url).pathname;

/**
 * The library surface: every name `mod.ts` exports, values and types. Changing it is an API
 * change — edit this list on purpose, in the same commit as mod.ts.
 */
const VALUES = [
  "DTYPES",
  "INTERPOLATIONS",
  "IssuesError",
  "ManifestError",
  "NiftiError",
  "RecipeError",
  "STEPS",
  "UsageError",
  "copyVolume",
  "createMeta",
  "createVolume",
  "cropVolume",
  "defineStep",
  "deriveSpacing",
  "encodeNifti",
  "findStep",
  "flipGrid",
  "flipVolume",
  "formatIssue",
  "mapImages",
  "mapItems",
  "materializeDeferred",
  "materializeItems",
  "padVolume",
  "permuteGrid",
  "permuteVolume",
  "readNifti",
  "readNiftiHeader",
  "readNiftiHeaderSync",
  "readNiftiSync",
  "readRecipe",
  "runBatch",
  "translateAffine",
  "translateVolume",
  "validateRecipe",
  "validateRecipePlan",
  "windowGrid",
  "windowVolume",
  "writeNifti",
  "writeNiftiSync",
];

const TYPES = [
  "Affine",
  "AffineSource",
  "Axes",
  "BoundStep",
  "DType",
  "DatasetNeed",
  "DatasetStats",
  "DeferredValues",
  "EncodableItem",
  "EncodedVolume",
  "FloatPlan",
  "FloatStorage",
  "FrameDatasetStats",
  "Grid",
  "Interpolation",
  "Issue",
  "Item",
  "NameValues",
  "NiftiHeaderInfo",
  "NiftiImage",
  "NiftiInfo",
  "OutputContext",
  "ParamProblem",
  "PlainRecipe",
  "Plan",
  "PlannedRole",
  "PreEncoded",
  "ReadOptions",
  "Recipe",
  "RecipeStep",
  "RoleSelection",
  "Rounding",
  "RunOptions",
  "SaveTarget",
  "SinkIo",
  "SinkFile",
  "SinkOutput",
  "SinkStep",
  "SourceInput",
  "SourceIo",
  "SourceStep",
  "StepBase",
  "StepContext",
  "StepDefinition",
  "StepKind",
  "StepRecord",
  "StepResult",
  "Subject",
  "TransformStep",
  "Triple",
  "ValueKind",
  "Volume",
  "VolumeMeta",
  "VoxelArray",
  "WriteOptions",
  "WrittenFile",
];

async function denoDoc(
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["doc", ...args, `${ROOT}mod.ts`],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("mod.ts exports exactly the pinned values", () => {
  assert.deepEqual(Object.keys(mod).sort(), [...VALUES].sort());
});

Deno.test("mod.ts exports exactly the pinned names, types included (deno doc)", async () => {
  const doc = await denoDoc("--json");
  assert.equal(doc.code, 0, doc.stderr);
  const json = JSON.parse(doc.stdout) as {
    nodes: Record<string, { symbols: { name: string }[] }>;
  };
  const names = Object.values(json.nodes).flatMap((n) => n.symbols.map((s) => s.name));
  assert.deepEqual([...new Set(names)].sort(), [...VALUES, ...TYPES].sort());
});

Deno.test("deno doc --lint mod.ts is clean: every exported symbol is documented", async () => {
  const doc = await denoDoc("--lint");
  const errors = doc.stderr.split("\n").filter((l) => /^error/.test(l));
  assert.deepEqual(errors, []);
  assert.equal(doc.code, 0, doc.stderr.slice(-2000));
});

Deno.test("mod.ts's registry is the CLI's and its errors are the CLI's classes", async () => {
  const registry = await import("../src/steps/registry.ts");
  const errors = await import("../src/errors.ts");
  assert.equal(mod.STEPS, registry.STEPS);
  assert.equal(mod.findStep("clip"), registry.STEPS.find((s) => s.name === "clip"));
  assert.equal(mod.RecipeError, errors.RecipeError);
  assert.ok(new mod.UsageError([{ path: "--workers", message: "x" }]) instanceof mod.IssuesError);
});
